package org.vfmtok.serve;

import static org.junit.jupiter.api.Assertions.*;
import static org.vfmtok.serve.ServerTestSupport.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A client of the blocking {@code POST /v1/generate} that closes its connection mid-generation: its task is
 * cancelled within moments (not at the end of its tokens or the request timeout), the metrics count it, and a
 * request that shared the batch returns the same codes as when served alone. Steps are slowed down (a hook
 * sleeps after each) so that a whole request takes seconds.
 */
class ClientDisconnectTest {
    @Test
    void aBlockingGenerateWhoseClientLeavesIsCancelledAndTheOtherRequestIsUnchanged() throws Exception {
        int tokens = models().gpt().config.tokens();
        long stepMillis = Math.max(10, 3000 / tokens);   // a whole request: about 3 s
        AtomicInteger steps = new AtomicInteger();
        GenerationScheduler.Listener slow = (rows, tasks, nanos, t) -> {
            steps.incrementAndGet();
            try {
                Thread.sleep(stepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (VfmServer server = VfmServer.start(models(), options(16, 8), slow)) {
            GenerationScheduler sched = server.scheduler();
            String other = "{\"classes\":[4],\"seed\":3,\"cfg_scale\":1.5,\"top_k\":20}";
            HttpResponse<byte[]> aloneAnswer = postJson(server, "/v1/generate", other);
            assertEquals(200, aloneAnswer.statusCode(), new String(aloneAnswer.body()));
            JsonNode alone = json(aloneAnswer).get("images").get(0).get("codes");
            assertEquals(1, sched.completed());

            ExecutorService pool = Executors.newSingleThreadExecutor();
            try (Socket leaving = new Socket("127.0.0.1", server.port())) {
                byte[] body = "{\"classes\":[9],\"seed\":2,\"cfg_scale\":1.5}".getBytes(StandardCharsets.UTF_8);
                OutputStream out = leaving.getOutputStream();
                out.write(("POST /v1/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                Future<HttpResponse<byte[]>> shared = pool.submit(() -> postJson(server, "/v1/generate", other));

                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (sched.runningTasks() < 2 && System.nanoTime() < end) Thread.sleep(2);
                assertEquals(2, sched.runningTasks(), "both requests decode in one batch");
                int startStep = steps.get();
                while (steps.get() < startStep + 3) Thread.sleep(2);

                leaving.close();   // the client goes away after the first steps
                long closedAt = System.nanoTime();
                while (sched.cancelled() == 0 && System.nanoTime() - closedAt < TimeUnit.SECONDS.toNanos(20)) Thread.sleep(2);
                double cancelMillis = (System.nanoTime() - closedAt) / 1e6;
                int stepsRun = steps.get() - startStep;
                assertEquals(1, sched.cancelled(), "the leaving client's task was cancelled");
                assertTrue(cancelMillis < 1000, "cancelled " + cancelMillis + " ms after the disconnect");
                assertTrue(stepsRun < tokens / 2, "cancelled after " + stepsRun + " of " + tokens + " steps");

                HttpResponse<byte[]> sharedAnswer = shared.get(60, TimeUnit.SECONDS);
                assertEquals(200, sharedAnswer.statusCode(), new String(sharedAnswer.body()));
                assertEquals(alone, json(sharedAnswer).get("images").get(0).get("codes"), "the shared batch changed the other request's codes");
                assertEquals(2, sched.completed(), "only the staying requests completed");

                String metrics = get(server, "/metrics").body();
                assertTrue(metrics.contains("vfm_client_disconnects_total{endpoint=\"generate\"} 1.0"), metrics);
                assertTrue(metrics.contains("vfm_generate_requests_total{outcome=\"cancelled\"} 1.0"), metrics);
                System.out.printf("client left after 3 of %d steps; its task was cancelled %.0f ms later, after %d steps%n", tokens, cancelMillis, stepsRun);
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
