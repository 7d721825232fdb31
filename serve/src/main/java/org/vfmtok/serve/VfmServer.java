package org.vfmtok.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.sse.SseEvent;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.sse.SseSink;
import io.helidon.webserver.staticcontent.StaticContentService;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import org.vfmtok.llama.GenerationOptions;
import org.vfmtok.llama.GenerationTask;
import org.vfmtok.llama.Generator;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.image.ImageFiles;
import org.vfmtok.vfmtok.image.Metrics;

/**
 * The HTTP service over {@link ServedModels}: Helidon SE's webserver (a virtual thread per request), the JSON
 * API, server-sent progress, the page at {@code /} (from the jar), health, readiness and Prometheus metrics.
 * Generate requests go through the {@link GenerationScheduler} (continuous batching); tokenize, detokenize and
 * reconstruct run on the request's own thread (the models are safe to share).
 *
 * <pre>{@code
 * try (ServedModels models = ServedModels.randomDemo(0);
 *      VfmServer server = VfmServer.start(models, ServeOptions.defaults().withPort(0))) {
 *     System.out.println("http://127.0.0.1:" + server.port() + "/");
 *     server.awaitShutdown();
 * }
 * }</pre>
 *
 * <p>Every refused request is answered with a 4xx status and {@code {"error": "..."}}; a full queue with 429
 * and {@code Retry-After}. {@link #drainAndStop} (the shutdown hook of {@code vfm serve}) stops accepting
 * work, lets queued and running generations finish, then stops the listener.
 */
public final class VfmServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServedModels models;
    private final ServeOptions options;
    private final GenerationScheduler scheduler;
    private final ServeMetrics metrics;
    private final WebServer server;
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean draining;
    /** HTTP requests being handled (any endpoint): draining waits for them to be answered. */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

    private VfmServer(ServedModels models, ServeOptions options, GenerationScheduler.Listener stepHook) {
        this.models = models;
        this.options = options;
        GenerationScheduler[] holder = new GenerationScheduler[1];
        this.metrics = new ServeMetrics(holder);
        this.scheduler = new GenerationScheduler(models.gpt(), options.maxBatch(), options.maxQueue(), (rows, tasks, nanos, tokens) -> {
            metrics.step(rows, nanos);
            if (stepHook != null) stepHook.onStep(rows, tasks, nanos, tokens);
        });
        holder[0] = scheduler;
        this.server = WebServer.builder()
                .host(options.host())
                .port(options.port())
                .shutdownHook(false)
                .maxPayloadSize(options.maxBodyBytes() + (1 << 20))   // a backstop: the handlers answer 413 in JSON first
                .addConnectionSelector(new ConnectionScope())         // lets a generate handler notice its client leaving
                .routing(this::routes)
                .build();
    }

    /** Starts serving {@code models} (which stay the caller's: close them after this server). */
    public static VfmServer start(ServedModels models, ServeOptions options) {
        return start(models, options, null);
    }

    /** With a hook called on the scheduler thread after every decode step (tests slow the steps down with it). */
    static VfmServer start(ServedModels models, ServeOptions options, GenerationScheduler.Listener stepHook) {
        VfmServer s = new VfmServer(models, options, stepHook);
        s.server.start();
        return s;
    }

    /** The port it listens on (the chosen one when started with port 0). */
    public int port() { return server.port(); }

    public GenerationScheduler scheduler() { return scheduler; }

    private void routes(HttpRouting.Builder r) {
        r.get("/healthz", handle("healthz", (req, res) -> json(res, 200, JSON.createObjectNode().put("status", "ok"))));
        r.get("/readyz", handle("readyz", (req, res) -> {
            boolean ready = !draining && scheduler.isAccepting();
            json(res, ready ? 200 : 503, JSON.createObjectNode().put("ready", ready).put("random_weights", models.isRandom()));
        }));
        r.get("/metrics", (req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            res.send(metrics.scrape());
        });
        r.get("/v1/info", handle("info", (req, res) -> json(res, 200, info())));
        r.post("/v1/generate", handle("generate", this::generate));
        r.get("/v1/generate/stream", handle("generate_stream", this::generateStream));
        r.post("/v1/tokenize", handle("tokenize", this::tokenize));
        r.post("/v1/detokenize", handle("detokenize", this::detokenize));
        r.post("/v1/reconstruct", handle("reconstruct", this::reconstruct));
        r.register("/", StaticContentService.builder("org/vfmtok/serve/web").welcomeFileName("index.html").build());
        r.any(handle("not_found", (req, res) -> {
            throw new ApiException(404, "no such endpoint: " + req.prologue().method().text() + " " + req.path().path());
        }));
    }

    /** A handler with the service's error mapping (JSON, 4xx for the client's mistakes) and request metrics. */
    private Handler handle(String endpoint, Handler h) {
        return (req, res) -> {
            long t0 = System.nanoTime();
            inFlight.incrementAndGet();
            try {
                h.handle(req, res);
            } catch (DisconnectWatch.ClientGone e) {
                // nobody to answer; 499 (nginx's "client closed request") is what the request metrics record
                res.status(io.helidon.http.Status.create(499, "Client Closed Request"));
                try {
                    res.send();
                } catch (RuntimeException ignored) {
                    // the connection is gone
                }
            } catch (ApiException e) {
                if (e.retryAfterSeconds() != null) res.header(HeaderNames.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
                error(res, e.status(), e.getMessage());
            } catch (IllegalArgumentException e) {
                error(res, 400, e.getMessage());
            } catch (CancellationException e) {
                error(res, 503, "cancelled: " + e.getMessage());
            } catch (RuntimeException e) {
                System.err.println("vfm serve: " + endpoint + " failed: " + e);
                error(res, 500, "internal error: " + e);
            } finally {
                inFlight.decrementAndGet();
                metrics.request(endpoint, res.status().code(), System.nanoTime() - t0);
            }
        };
    }

    private static void error(ServerResponse res, int status, String message) {
        if (res.isSent()) return;
        json(res, status, JSON.createObjectNode().put("error", message == null ? "error" : message));
    }

    private static void json(ServerResponse res, int status, JsonNode body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        try {
            res.send(JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private ObjectNode info() {
        ObjectNode o = JSON.createObjectNode();
        o.put("banner", models.banner());
        o.put("random_weights", models.isRandom());
        o.put("model", models.gpt().config.name());
        o.put("image_size", models.imageSize());
        o.put("tokens", models.gpt().config.tokens());
        o.put("codebook_size", models.gpt().config.vocabSize());
        o.put("guidance", models.gpt().config.hasNullClass());
        o.put("max_batch", options.maxBatch());
        o.put("max_per_class", options.maxPerClass());
        o.put("max_images", options.maxImagesPerRequest());
        ArrayNode names = o.putArray("classes");
        models.classNames().forEach(names::add);
        return o;
    }

    /** The body, at most maxBodyBytes (else 413), checked against Content-Length first. */
    private byte[] body(ServerRequest req) {
        long limit = options.maxBodyBytes();
        var declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > limit) {
            throw new ApiException(413, "request body of " + declared.getAsLong() + " bytes is larger than the limit of " + limit + " bytes");
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (b.length > limit) throw new ApiException(413, "request body is larger than the limit of " + limit + " bytes");
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode jsonBody(ServerRequest req) {
        byte[] b = body(req);
        try {
            return JSON.readTree(b);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ generate

    /** Queues a task and waits for its codes; a deadline of requestTimeout cancels it. */
    private GenerationTask submit(GenerateRequest g, Generator.StepListener listener) {
        GenerationOptions opts = g.options().withDeadline(Instant.now().plus(options.requestTimeout()));
        GenerationTask task = new GenerationTask(models.gpt().config, g.imageClasses(), opts, listener);
        scheduler.submit(task);
        return task;
    }

    private static int[][] await(GenerationTask task) {
        try {
            return task.result().get();
        } catch (InterruptedException e) {
            task.cancel();
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) throw re;
            throw new IllegalStateException(c);
        }
    }

    private Tensor decode(int[][] codes) {
        return models.images().images(codes);
    }

    /** Watches the client of a generate request: if it closes the connection, its task is cancelled (and counted). */
    private DisconnectWatch watch(String endpoint, ServerResponse res, GenerationTask task) {
        return DisconnectWatch.start(res, () -> {
            task.cancel();
            metrics.clientGone(endpoint);
        });
    }

    /** The task's codes; {@link DisconnectWatch.ClientGone} when it was cancelled because the client left. */
    private static int[][] await(GenerationTask task, DisconnectWatch watch, String endpoint) {
        try {
            return await(task);
        } catch (CancellationException e) {
            watch.throwIfGone(endpoint);
            throw e;
        }
    }

    /**
     * Blocks until the images are ready; a client that closes its connection meanwhile cancels its task within
     * moments (the other requests of the batch go on unchanged) and skips the decoding to pixels.
     */
    private void generate(ServerRequest req, ServerResponse res) {
        GenerateRequest g = GenerateRequest.fromJson(jsonBody(req), models.gpt().config, options);
        long t0 = System.nanoTime();
        GenerationTask task = submit(g, null);
        int[][] codes;
        Tensor images;
        long t1, t2;
        // the watch ends before the answer goes out: a client that reads it and closes has not left early
        try (DisconnectWatch watch = watch("generate", res, task)) {
            codes = await(task, watch, "generate");
            t1 = System.nanoTime();
            watch.throwIfGone("generate");
            images = decode(codes);
            t2 = System.nanoTime();
        }
        String accept = req.headers().first(HeaderNames.ACCEPT).orElse("");
        if (accept.contains("image/png") && !accept.contains("application/json")) {
            res.header(HeaderNames.CONTENT_TYPE, "image/png");
            res.send(ImageCodec.png(ImageCodec.grid(images, g.perClass() == 1 ? g.classes().length : g.perClass())));
            return;
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("images", imagesJson(g, codes, images));
        ObjectNode timing = out.putObject("timing_ms");
        timing.put("generate", (t1 - t0) / 1e6);
        timing.put("decode", (t2 - t1) / 1e6);
        timing.put("total", (System.nanoTime() - t0) / 1e6);
        json(res, 200, out);
    }

    private ArrayNode imagesJson(GenerateRequest g, int[][] codes, Tensor images) {
        ArrayNode arr = JSON.createArrayNode();
        int[] cls = g.imageClasses();
        for (int i = 0; i < codes.length; i++) arr.add(imageJson(cls[i], g.seed(), i, codes[i], images));
        return arr;
    }

    private ObjectNode imageJson(int cls, long seed, int i, int[] codes, Tensor images) {
        ObjectNode o = JSON.createObjectNode();
        o.put("class", cls);
        o.put("class_name", models.classNames().get(cls));
        o.put("seed", seed);
        o.put("index", i);
        o.put("png_base64", Base64.getEncoder().encodeToString(ImageCodec.png(images, i)));
        ArrayNode c = o.putArray("codes");
        for (int v : codes) c.add(v);
        return o;
    }

    /**
     * Server-sent events: "progress" {done, total} as tokens are decoded (about 50 events per request), then one
     * "image" per image, then "done" {timing_ms}; a failure after the stream started is an "error" event. A
     * client that goes away cancels the task: noticed by the {@link DisconnectWatch} at once (even while the task
     * is still queued and nothing is written), or by the next write failing.
     */
    private void generateStream(ServerRequest req, ServerResponse res) {
        Map<String, String> query = new LinkedHashMap<>();
        for (String n : req.query().names()) query.put(n, req.query().get(n));
        GenerateRequest g = GenerateRequest.fromQuery(query, models.gpt().config, options);
        long t0 = System.nanoTime();
        int total = models.gpt().config.tokens();
        int every = Math.max(1, total / 50);
        java.util.concurrent.atomic.AtomicInteger lastSent = new java.util.concurrent.atomic.AtomicInteger();
        // the scheduler thread must not write to the socket: it hands the count over, the request thread sends
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        Generator.StepListener progress = Generator.progress(done::set);
        GenerationTask task = submit(g, progress);   // 400 / 429 are answered as JSON before the stream starts
        DisconnectWatch watch = watch("generate_stream", res, task);
        SseSink sink = res.sink(SseSink.TYPE);
        try {
            while (!task.result().isDone()) {
                try {
                    task.result().get(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException ignored) {
                    // time to report progress
                } catch (ExecutionException ignored) {
                    break;
                }
                int d = done.get();
                if (d - lastSent.get() >= every || (d == total && lastSent.get() != total)) {
                    lastSent.set(d);
                    sink.emit(event("progress", JSON.createObjectNode().put("done", d).put("total", total)));
                }
            }
            int[][] codes;
            try {
                codes = await(task);
            } catch (RuntimeException e) {
                watch.close();
                sink.emit(event("error", JSON.createObjectNode().put("error", String.valueOf(e.getMessage()))));
                return;
            }
            long t1 = System.nanoTime();
            Tensor images = decode(codes);
            watch.close();   // before the last events: a client that reads them and closes has not left early
            int[] cls = g.imageClasses();
            for (int i = 0; i < codes.length; i++) sink.emit(event("image", imageJson(cls[i], g.seed(), i, codes[i], images)));
            ObjectNode timing = JSON.createObjectNode();
            timing.putObject("timing_ms").put("generate", (t1 - t0) / 1e6).put("total", (System.nanoTime() - t0) / 1e6);
            sink.emit(event("done", timing));
        } catch (RuntimeException e) {
            // the client went away (the write failed) or the request was interrupted: stop its work
            task.cancel();
            throw new CancellationException("stream ended: " + e);
        } catch (InterruptedException e) {
            task.cancel();
            Thread.currentThread().interrupt();
        } finally {
            watch.close();
            try {
                sink.close();
            } catch (RuntimeException ignored) {
                // already broken
            }
        }
    }

    private static SseEvent event(String name, JsonNode data) {
        try {
            return SseEvent.builder().name(name).data(JSON.writeValueAsString(data)).build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ tokenizer endpoints

    /** An uploaded image, centre-cropped and resized to the tokenizer's input (1, 3, S, S) in [-1, 1]. */
    private Tensor uploadedImage(ServerRequest req) {
        BufferedImage img = ImageCodec.readUpload(body(req), options.maxUploadPixels());
        return ImageFiles.centerCrop(img, models.imageSize()).unsqueeze(0);
    }

    private void tokenize(ServerRequest req, ServerResponse res) {
        try (Scope s = Scope.open("serve-tokenize"); Grad.Mode ng = Grad.noGrad()) {
            Tensor codes = models.tokenizer().encode(uploadedImage(req));
            ObjectNode out = JSON.createObjectNode();
            ArrayNode c = out.putArray("codes");
            for (long v : codes.toLongArray()) c.add(v);
            out.put("tokens", models.tokenizer().config().tokens());
            json(res, 200, out);
        }
    }

    private void detokenize(ServerRequest req, ServerResponse res) {
        JsonNode body = jsonBody(req);
        JsonNode codes = body.isObject() ? body.get("codes") : body;
        int n = models.tokenizer().config().tokens(), v = models.tokenizer().config().codebookSize();
        if (codes == null || !codes.isArray() || codes.size() != n) {
            throw ApiException.badRequest("'codes' must be an array of " + n + " code ids, got " + (codes == null ? "nothing" : codes.isArray() ? codes.size() + " values" : codes.getNodeType()));
        }
        int[] row = new int[n];
        for (int i = 0; i < n; i++) {
            JsonNode c = codes.get(i);
            if (!c.isIntegralNumber() || c.asLong() < 0 || c.asLong() >= v) throw ApiException.badRequest("code " + c + " at index " + i + " is not an id in [0, " + v + ")");
            row[i] = c.asInt();
        }
        Tensor img = decode(new int[][] {row});
        res.header(HeaderNames.CONTENT_TYPE, "image/png");
        res.send(ImageCodec.png(img, 0));
    }

    private void reconstruct(ServerRequest req, ServerResponse res) {
        try (Scope s = Scope.open("serve-reconstruct"); Grad.Mode ng = Grad.noGrad()) {
            Tensor x = uploadedImage(req);
            Tensor in8 = VFMTokenizer.toUint8(x), rec8 = VFMTokenizer.toUint8(models.tokenizer().reconstruct(x));
            int size = models.imageSize();
            int[] a = in8.select(0, 0).toIntArray(), r = rec8.select(0, 0).toIntArray();
            double psnr = Metrics.psnr(a, r), ssim = Metrics.ssim(a, r, size, size);
            byte[] png = ImageCodec.png(rec8, 0);
            String accept = req.headers().first(HeaderNames.ACCEPT).orElse("");
            if (accept.contains("image/png") && !accept.contains("application/json")) {
                res.header("X-PSNR", Double.toString(psnr));
                res.header("X-SSIM", Double.toString(ssim));
                res.header(HeaderNames.CONTENT_TYPE, "image/png");
                res.send(png);
                return;
            }
            ObjectNode out = JSON.createObjectNode();
            out.put("psnr", Double.isInfinite(psnr) ? 99.0 : psnr);
            out.put("ssim", ssim);
            out.put("png_base64", Base64.getEncoder().encodeToString(png));
            out.put("input_png_base64", Base64.getEncoder().encodeToString(ImageCodec.png(in8, 0)));
            json(res, 200, out);
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Stops taking generate requests (new ones get 503, readiness turns false), waits up to
     * {@code timeoutMillis} for the queued and running ones to finish and be answered, then stops the listener
     * and the scheduler. Returns whether everything finished in time.
     */
    public boolean drainAndStop(long timeoutMillis) throws InterruptedException {
        draining = true;
        long end = System.nanoTime() + timeoutMillis * 1_000_000L;
        boolean all = scheduler.drain(timeoutMillis);
        // the request threads decode the last images and write the answers
        while (inFlight.get() > 0 && System.nanoTime() < end) Thread.sleep(10);
        all &= inFlight.get() == 0;
        close();
        return all;
    }

    /**
     * Registers a JVM shutdown hook (SIGTERM, SIGINT, System.exit) that {@linkplain #drainAndStop drains} this
     * server for up to {@code drainMillis}, then closes {@code models}. Returns the hook.
     */
    public Thread drainOnShutdown(long drainMillis, AutoCloseable models) {
        Thread hook = new Thread(() -> {
            System.err.println("vfm serve: stopping: draining running requests (up to " + drainMillis / 1000 + " s)");
            try {
                boolean all = drainAndStop(drainMillis);
                System.err.println(all ? "vfm serve: drained, bye" : "vfm serve: drain timed out, the rest were cancelled");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                try {
                    if (models != null) models.close();
                } catch (Exception e) {
                    System.err.println("vfm serve: closing the models failed: " + e);
                }
            }
        }, "vfm-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** Blocks until {@link #close} (or {@link #drainAndStop}) ran. */
    public void awaitShutdown() throws InterruptedException { stopped.await(); }

    @Override
    public void close() {
        if (stopped.getCount() == 0) return;
        draining = true;
        try {
            server.stop();
        } finally {
            scheduler.close();
            stopped.countDown();
        }
    }
}
