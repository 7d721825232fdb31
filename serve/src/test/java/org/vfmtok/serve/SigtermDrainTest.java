package org.vfmtok.serve;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM drains: a server in its own JVM ({@link DrainMain}, the shutdown hook of {@code vfm serve}) gets
 * SIGTERM while generate requests are running; every one of them is answered 200, then the process exits.
 */
class SigtermDrainTest {
    private static double gauge(String metrics, String name) {
        for (String l : metrics.split("\n")) if (l.startsWith(name + " ")) return Double.parseDouble(l.substring(name.length() + 1).trim());
        return 0;
    }

    @Test
    void sigtermLetsRunningRequestsFinishThenExits() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), DrainMain.class.getName());
        pb.redirectError(Path.of("target", "drain-main.err").toFile());   // the server's log, for a failure
        Process p = pb.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
            String line = out.readLine();
            assertNotNull(line, "the server printed its port");
            int port = Integer.parseInt(line.replace("port ", "").trim());
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/generate"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"classes\":[" + (i + 1) + "],\"per_class\":2,\"seed\":" + i + "}")).build();
                answers.add(ServerTestSupport.CLIENT.sendAsync(req, HttpResponse.BodyHandlers.ofString()));
            }
            // SIGTERM once all three are queued or running (16 steps of 150 ms each)
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < end) {
                String m = ServerTestSupport.CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                if (gauge(m, "vfm_running_requests") + gauge(m, "vfm_queue_depth") >= 3) break;
                Thread.sleep(20);
            }
            p.destroy();        // SIGTERM
            for (CompletableFuture<HttpResponse<String>> a : answers) {
                HttpResponse<String> r = a.get(60, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().contains("png_base64"));
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process exited after draining");
            assertEquals(143, p.exitValue(), "exit status of a JVM ended by SIGTERM");
        } finally {
            p.destroyForcibly();
        }
    }
}
