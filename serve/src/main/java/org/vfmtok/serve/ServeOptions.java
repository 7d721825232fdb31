package org.vfmtok.serve;

import java.time.Duration;

/**
 * The service's bounds: where it listens, the decode batch ({@code maxBatch} decoder rows, CFG rows counted),
 * the generate requests that may wait ({@code maxQueue}; more are answered 429), and the limits every request
 * is checked against (body bytes, images per request, per_class, class ids come from the model). A generate
 * request that is still running after {@code requestTimeout} is cancelled.
 */
public record ServeOptions(String host, int port, int maxBatch, int maxQueue, long maxBodyBytes, int maxImagesPerRequest,
                           int maxPerClass, long maxUploadPixels, Duration requestTimeout) {
    public ServeOptions {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be in [0, 65535] (0 = any free port), got " + port);
        if (maxBatch < 1) throw new IllegalArgumentException("--max-batch must be >= 1, got " + maxBatch);
        if (maxQueue < 0) throw new IllegalArgumentException("--max-queue must be >= 0, got " + maxQueue);
        if (maxBodyBytes < 1) throw new IllegalArgumentException("max body bytes must be >= 1, got " + maxBodyBytes);
        if (maxImagesPerRequest < 1 || maxPerClass < 1) throw new IllegalArgumentException("image limits must be >= 1");
    }

    /** Loopback, port 8080, batch 16, queue 64, 8 MiB bodies, 16 images per request, 8 per class, 16 Mpixel uploads, 5 minutes. */
    public static ServeOptions defaults() {
        return new ServeOptions("127.0.0.1", 8080, 16, 64, 8L << 20, 16, 8, 16_000_000L, Duration.ofMinutes(5));
    }

    public ServeOptions withPort(int p) { return new ServeOptions(host, p, maxBatch, maxQueue, maxBodyBytes, maxImagesPerRequest, maxPerClass, maxUploadPixels, requestTimeout); }

    public ServeOptions withHost(String h) { return new ServeOptions(h, port, maxBatch, maxQueue, maxBodyBytes, maxImagesPerRequest, maxPerClass, maxUploadPixels, requestTimeout); }

    public ServeOptions withBatch(int batch, int queue) { return new ServeOptions(host, port, batch, queue, maxBodyBytes, maxImagesPerRequest, maxPerClass, maxUploadPixels, requestTimeout); }

    public ServeOptions withMaxBodyBytes(long b) { return new ServeOptions(host, port, maxBatch, maxQueue, b, maxImagesPerRequest, maxPerClass, maxUploadPixels, requestTimeout); }
}
