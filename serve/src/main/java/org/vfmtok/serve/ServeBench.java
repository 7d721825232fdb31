package org.vfmtok.serve;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The load client of {@code vfm bench serve}: {@code clients} closed-loop clients post the same kind of
 * generate request (one image, each request its own seed) to a server for a fixed time, on loopback, with
 * the JDK's HTTP client. Reports completed requests per second, images per second and the latency
 * percentiles; 429 answers are counted apart (and the client backs off for a moment).
 */
public final class ServeBench {
    /** What a run measured. */
    public record Result(int clients, double seconds, int completed, int refused, int failed, double requestsPerSecond,
                         double p50Millis, double p99Millis) {
        public String line() {
            return String.format(Locale.ROOT, "clients %d: %d requests in %.1f s = %.2f req/s, p50 %.0f ms, p99 %.0f ms (429: %d, failed: %d)",
                    clients, completed, seconds, requestsPerSecond, p50Millis, p99Millis, refused, failed);
        }
    }

    private ServeBench() {}

    /** Runs {@code clients} clients for {@code seconds} against {@code baseUrl} (e.g. http://127.0.0.1:8080), posting {@code requestJson} with "seed" varied. */
    public static Result run(String baseUrl, int clients, double seconds, String requestJsonWithoutSeed) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<long[]>> parts = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                parts.add(pool.submit(() -> {
                    List<Long> lat = new ArrayList<>();
                    long refused = 0, failed = 0;
                    for (int i = 0; System.nanoTime() < end; i++) {
                        String body = requestJsonWithoutSeed.replaceFirst("}\\s*$", ",\"seed\":" + (client * 1_000_000L + i) + "}");
                        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/generate")).timeout(Duration.ofMinutes(5))
                                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
                        long s = System.nanoTime();
                        HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() == 200) lat.add(System.nanoTime() - s);
                        else if (r.statusCode() == 429) {
                            refused++;
                            Thread.sleep(50);
                        } else failed++;
                    }
                    long[] out = new long[lat.size() + 2];
                    out[0] = refused;
                    out[1] = failed;
                    for (int i = 0; i < lat.size(); i++) out[i + 2] = lat.get(i);
                    return out;
                }));
            }
            List<Long> all = new ArrayList<>();
            int refused = 0, failed = 0;
            for (Future<long[]> f : parts) {
                long[] p = f.get();
                refused += (int) p[0];
                failed += (int) p[1];
                for (int i = 2; i < p.length; i++) all.add(p[i]);
            }
            double elapsed = (System.nanoTime() - t0) / 1e9;
            long[] sorted = all.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(sorted);
            return new Result(clients, elapsed, sorted.length, refused, failed, sorted.length / elapsed, percentile(sorted, 0.50), percentile(sorted, 0.99));
        } finally {
            pool.shutdownNow();
        }
    }

    /** One untimed request (the server's first decode steps and image decoding compile), failing unless it is answered 200. */
    public static void warmUp(String baseUrl, String requestJson) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/generate")).timeout(Duration.ofMinutes(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(requestJson)).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException("the warm-up request was answered " + r.statusCode() + ": " + r.body());
    }

    /** Nearest-rank percentile in milliseconds (NaN when empty). */
    static double percentile(long[] sortedNanos, double q) {
        if (sortedNanos.length == 0) return Double.NaN;
        int i = (int) Math.ceil(q * sortedNanos.length) - 1;
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, i))] / 1e6;
    }
}
