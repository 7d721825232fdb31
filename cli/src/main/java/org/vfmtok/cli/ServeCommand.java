package org.vfmtok.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.vfmtok.serve.ServeOptions;
import org.vfmtok.serve.ServedModels;
import org.vfmtok.serve.VfmServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./vfm serve}: the HTTP service and its page (org.vfmtok.serve). */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serves generate / tokenize / detokenize / reconstruct over HTTP with a web page at /, batching generate",
                "requests across clients (continuous batching). Without --gpt and --tokenizer it serves random weights of the demo",
                "size (the page says so). API: POST /v1/generate, GET /v1/generate/stream (server-sent events), POST /v1/tokenize,",
                "/v1/detokenize, /v1/reconstruct; GET /healthz, /readyz, /metrics (Prometheus). SIGTERM drains running requests, then exits."})
final class ServeCommand implements Callable<Integer> {
    @Mixin ServeModelOptions models;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDR", description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for all interfaces).")
    String host;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "N", description = "Port (0 = any free port; default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--max-batch", defaultValue = "16", paramLabel = "ROWS", description = "Decoder rows shared by the running requests; a guided image takes 2 (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-queue", defaultValue = "64", paramLabel = "N", description = "Generate requests that may wait; more are answered 429 with Retry-After (default: ${DEFAULT-VALUE}).")
    int maxQueue;

    @Option(names = "--max-images", defaultValue = "16", paramLabel = "N", description = "Images per generate request at most (default: ${DEFAULT-VALUE}).")
    int maxImages;

    @Option(names = "--max-per-class", defaultValue = "8", paramLabel = "N", description = "Largest per_class of a generate request (default: ${DEFAULT-VALUE}).")
    int maxPerClass;

    @Option(names = "--max-body-mb", defaultValue = "8", paramLabel = "MB", description = "Largest request body, MiB; larger ones get 413 (default: ${DEFAULT-VALUE}).")
    int maxBodyMb;

    @Option(names = "--max-upload-pixels", defaultValue = "16000000", paramLabel = "N", description = "Largest uploaded image, width x height, checked from its header (default: ${DEFAULT-VALUE}).")
    long maxUploadPixels;

    @Option(names = "--timeout-s", defaultValue = "300", paramLabel = "S", description = "A generate request still running after this is cancelled (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--drain-s", defaultValue = "60", paramLabel = "S", description = "On SIGTERM, how long to let queued and running requests finish (default: ${DEFAULT-VALUE}).")
    int drainSeconds;

    @Option(names = "--no-warmup", description = "Skip the warm-up generation before listening (the first requests are then slower).")
    boolean noWarmup;

    @Override
    public Integer call() throws Exception {
        ServeOptions options = new ServeOptions(host, port, maxBatch, maxQueue, (long) maxBodyMb << 20, maxImages, maxPerClass, maxUploadPixels,
                Duration.ofSeconds(timeoutSeconds));
        ServedModels served = models.load();
        System.err.println("vfm serve: " + served.banner());
        if (!noWarmup) {
            long t0 = System.nanoTime();
            served.images().warmUp();
            System.err.printf(java.util.Locale.ROOT, "vfm serve: warmed up in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        }
        VfmServer server = VfmServer.start(served, options);
        server.drainOnShutdown(drainSeconds * 1000L, served);
        System.out.println("vfm serve: listening on http://" + host + ":" + server.port() + "/ (batch " + maxBatch + " rows, queue " + maxQueue + ")");
        System.out.flush();
        server.awaitShutdown();
        return 0;
    }
}
