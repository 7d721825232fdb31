package org.vfmtok.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.vfmtok.serve.ServeBench;
import org.vfmtok.serve.ServeOptions;
import org.vfmtok.serve.ServedModels;
import org.vfmtok.serve.VfmServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./vfm bench serve}: closed-loop HTTP clients against vfm serve on loopback. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"N concurrent clients post generate requests (one image each, seeds varied) for a fixed time, on loopback:",
                "requests/s and p50/p99 latency per client count. Starts a server in this process on the given models (or random",
                "demo-size weights, or random weights at an official GPT size with --random-gpt), unless --url points at a running one.",
                "The GPT-B figure without a checkpoint: --random-gpt GPT-B --clients 1,8 --seconds 60."})
final class BenchServeCommand implements Callable<Integer> {
    @Mixin ServeModelOptions models;

    @Option(names = "--url", paramLabel = "URL", description = "A running server (e.g. http://127.0.0.1:8080); loopback only. Default: start one here.")
    String url;

    @Option(names = "--clients", defaultValue = "1,8", split = ",", paramLabel = "N,N,...", description = "Client counts to run, one after the other (default: ${DEFAULT-VALUE}).")
    int[] clients;

    @Option(names = "--seconds", defaultValue = "20", paramLabel = "S", description = "Time per client count, seconds (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--class", defaultValue = "207", paramLabel = "C", description = "Class id of the requests (default: ${DEFAULT-VALUE}).")
    int classId;

    @Option(names = "--cfg-scale", defaultValue = "1.5", paramLabel = "S", description = "Guidance of the requests (default: ${DEFAULT-VALUE}).")
    double cfgScale;

    @Option(names = "--max-batch", defaultValue = "16", paramLabel = "ROWS", description = "Decoder rows of the server started here (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Override
    public Integer call() throws Exception {
        if (seconds <= 0 || seconds > 3600) throw new IllegalArgumentException("--seconds must be in (0, 3600], got " + seconds);
        for (int c : clients) if (c < 1 || c > 1024) throw new IllegalArgumentException("--clients must be in [1, 1024], got " + c);
        String body = "{\"classes\":[" + classId + "],\"cfg_scale\":" + cfgScale + "}";
        if (url != null) {
            String host = java.net.URI.create(url).getHost();
            if (!("127.0.0.1".equals(host) || "localhost".equals(host) || "::1".equals(host) || "[::1]".equals(host))) {
                throw new IllegalArgumentException("--url must be a loopback address (127.0.0.1, localhost), got " + url);
            }
            for (int c : clients) System.out.println(ServeBench.run(url.replaceFirst("/+$", ""), c, seconds, body).line());
            return 0;
        }
        try (ServedModels served = models.load()) {
            System.err.println("bench serve: " + served.banner());
            served.images().warmUp();
            int maxQueue = 4 * java.util.Arrays.stream(clients).max().orElse(1);
            ServeOptions options = ServeOptions.defaults().withPort(0).withBatch(maxBatch, maxQueue);
            options = new ServeOptions(options.host(), 0, maxBatch, maxQueue, options.maxBodyBytes(), options.maxImagesPerRequest(), options.maxPerClass(),
                    options.maxUploadPixels(), Duration.ofMinutes(10));
            try (VfmServer server = VfmServer.start(served, options)) {
                ServeBench.warmUp("http://127.0.0.1:" + server.port(), body);   // the JIT compiles the decode step outside the timed runs
                for (int c : clients) System.out.println(ServeBench.run("http://127.0.0.1:" + server.port(), c, seconds, body).line());
            }
        }
        return 0;
    }
}
