package org.vfmtok.serve;

import static org.junit.jupiter.api.Assertions.*;
import static org.vfmtok.serve.ServerTestSupport.*;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Load and faults, with decode steps slowed down (a hook sleeps after each step) so that requests overlap:
 * a full queue answers 429 with Retry-After; a streaming client that disconnects cancels its task, and the
 * requests sharing its batch still finish; 200 concurrent requests are all answered (done or 429) with the
 * heap bounded; draining lets the running requests finish and refuses new ones.
 */
class ServerLoadTest {
    private static final GenerationScheduler.Listener SLOW = (rows, tasks, nanos, tokens) -> {
        try {
            Thread.sleep(25);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    };

    @Test
    void aFullQueueAnswers429WithRetryAfter() throws Exception {
        // 2 rows: one guided request at a time; a queue of 1
        try (VfmServer server = VfmServer.start(models(), options(2, 1), SLOW)) {
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<HttpResponse<byte[]>>> answers = new ArrayList<Future<HttpResponse<byte[]>>>();
                for (int i = 0; i < 6; i++) answers.add(pool.submit(() -> postJson(server, "/v1/generate", "{\"classes\":[3],\"cfg_scale\":1.5}")));
                int ok = 0, busy = 0;
                for (Future<HttpResponse<byte[]>> f : answers) {
                    HttpResponse<byte[]> r = f.get();
                    if (r.statusCode() == 200) ok++;
                    else {
                        assertEquals(429, r.statusCode(), new String(r.body()));
                        assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
                        assertTrue(json(r).get("error").asText().contains("queue is full"));
                        busy++;
                    }
                }
                assertTrue(ok >= 2 && busy >= 1, ok + " done, " + busy + " refused");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aClientThatDisconnectsCancelsItsWorkAndTheOthersFinish() throws Exception {
        try (VfmServer server = VfmServer.start(models(), options(16, 8), SLOW)) {
            GenerationScheduler sched = server.scheduler();
            Future<HttpResponse<byte[]>> other;
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                HttpRequest req = HttpRequest.newBuilder(URI.create(url(server, "/v1/generate/stream?classes=9&seed=2"))).GET().build();
                HttpResponse<InputStream> stream = CLIENT.send(req, HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, stream.statusCode());
                assertTrue(stream.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
                other = pool.submit(() -> postJson(server, "/v1/generate", "{\"classes\":[4],\"seed\":3}"));
                BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body()));
                String line;
                while ((line = lines.readLine()) != null && !line.startsWith("event:progress") && !line.startsWith("event: progress")) { /* headers of the stream */ }
                assertNotNull(line, "a progress event");
                stream.body().close();   // the client goes away mid-generation
                assertEquals(200, other.get(30, TimeUnit.SECONDS).statusCode());
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (sched.cancelled() == 0 && System.nanoTime() < end) Thread.sleep(20);
                assertEquals(1, sched.cancelled(), "the disconnected stream's task was cancelled");
                assertEquals(1, sched.completed(), "only the other request completed");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aStreamReportsProgressThenImages() throws Exception {
        try (VfmServer server = VfmServer.start(models(), options(16, 8), SLOW)) {
            HttpResponse<String> r = get(server, "/v1/generate/stream?classes=9,10&seed=2&cfg_scale=1.5&top_k=5");
            assertEquals(200, r.statusCode(), r.body());
            String body = r.body();
            int progress = body.split("event:\\s?progress", -1).length - 1, images = body.split("event:\\s?image", -1).length - 1;
            assertTrue(progress >= 2, body);
            assertEquals(2, images, body);
            assertTrue(body.indexOf("progress") < body.indexOf("image"), body);
            assertTrue(body.matches("(?s).*event:\\s?done.*"), body);
        }
    }

    @Test
    void twoHundredConcurrentRequestsAreAllAnsweredWithBoundedMemory() throws Exception {
        try (VfmServer server = VfmServer.start(models(), options(16, 16))) {
            Runtime rt = Runtime.getRuntime();
            ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
            try {
                List<Future<HttpResponse<byte[]>>> answers = new ArrayList<Future<HttpResponse<byte[]>>>();
                for (int i = 0; i < 200; i++) {
                    String body = "{\"classes\":[" + i + "],\"per_class\":2,\"seed\":" + i + "}";
                    answers.add(pool.submit(() -> postJson(server, "/v1/generate", body)));
                }
                int ok = 0, busy = 0;
                long peak = 0;
                for (Future<HttpResponse<byte[]>> f : answers) {
                    int code = f.get(120, TimeUnit.SECONDS).statusCode();
                    if (code == 200) ok++;
                    else if (code == 429) busy++;
                    else fail("status " + code);
                    peak = Math.max(peak, rt.totalMemory() - rt.freeMemory());
                }
                assertEquals(200, ok + busy);
                assertTrue(ok >= 16, ok + " done");
                assertTrue(peak < rt.maxMemory(), "heap " + peak);
                assertEquals(0, server.scheduler().queued());
                assertEquals(200, get(server, "/healthz").statusCode());
                System.out.printf("200 concurrent requests: %d done, %d answered 429; peak heap seen %d MiB%n", ok, busy, peak >> 20);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void drainingFinishesRunningRequestsAndRefusesNewOnes() throws Exception {
        VfmServer server = VfmServer.start(models(), options(16, 16), SLOW);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<HttpResponse<byte[]>>> answers = new ArrayList<Future<HttpResponse<byte[]>>>();
            for (int i = 0; i < 4; i++) {
                String body = "{\"classes\":[" + (i + 1) + "],\"seed\":" + i + "}";
                answers.add(pool.submit(() -> postJson(server, "/v1/generate", body)));
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (server.scheduler().runningTasks() + server.scheduler().queued() < 4 && System.nanoTime() < end) Thread.sleep(5);
            Thread drainer = Thread.ofPlatform().start(() -> {
                try {
                    assertTrue(server.drainAndStop(30_000));
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(40);
            HttpResponse<byte[]> late = postJson(server, "/v1/generate", "{\"classes\":[1]}");
            assertEquals(503, late.statusCode(), new String(late.body()));
            for (Future<HttpResponse<byte[]>> f : answers) assertEquals(200, f.get(30, TimeUnit.SECONDS).statusCode());
            drainer.join(30_000);
            assertEquals(4, server.scheduler().completed());
        } finally {
            pool.shutdownNow();
            server.close();
        }
    }
}
