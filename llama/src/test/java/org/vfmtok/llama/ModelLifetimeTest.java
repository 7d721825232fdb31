package org.vfmtok.llama;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.NativeMemory;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.model.TokenizerConfig;
import org.vfmtok.vfmtok.train.RandomVfm;
import org.vfmtok.vfmtok.vfm.Dinov2Config;

/**
 * Lifetimes and threads of the loaded models (issue 11): closing frees everything, results belong to the
 * caller, one model serves many threads with serial-identical results, warm-up and cancellation leave no
 * native memory behind. Small random weights; every test runs with no {@link Scope} open.
 */
class ModelLifetimeTest {
    static TokenizerConfig tinyTokenizer() {
        Dinov2Config v = RandomVfm.tinyConfig(16, 4, 16, 2, 2);
        return new TokenizerConfig(16, 4, 16, 1, 2, 32, 1, 4, 1, 2, 48, 16, 4, 16, 8, new int[] {1, 1, 1}, 1, 4, 64, v);
    }

    static GPTConfig gptFor(TokenizerConfig t) {
        return GPTConfig.of("tiny", 32, 2, 2, 64, t.codebookSize(), 10, (int) Math.round(Math.sqrt(t.tokens())));
    }

    static GPT randomGpt(GPTConfig c, long seed) {
        GPT g = GPT.random(c, seed);
        g.initialize(seed, true); // random output layer: zero logits would make sampling trivial
        g.eval();
        return g;
    }

    private static final GenerationOptions OPTIONS = new GenerationOptions(1.5, SamplingOptions.defaults(), 7);

    /** Resident set size from /proc/self/status, in bytes (-1 where there is none). */
    static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    private static void cycle(TokenizerConfig tc, GPTConfig gc, int i) {
        try (GPT gpt = randomGpt(gc, i); VFMTokenizer tok = VFMTokenizer.random(tc, i); ImageGenerator gen = new ImageGenerator(gpt, tok)) {
            int[][] codes = gen.codes(new int[] {1, 2}, OPTIONS, null);
            Tensor images = gen.images(codes);
            assertEquals(2, images.size(0));
        }
    }

    @Test
    void twentyLoadGenerateCloseCyclesGiveBackTheirMemory() {
        TokenizerConfig tc = tinyTokenizer();
        GPTConfig gc = gptFor(tc);
        cycle(tc, gc, 0); // classes loaded, JIT started
        System.gc();
        long owners = NativeMemory.openOwners();
        long live = NativeMemory.liveBytes();
        long rss = rssBytes();
        long peakRss = rss;
        for (int i = 1; i <= 20; i++) {
            cycle(tc, gc, i);
            peakRss = Math.max(peakRss, rssBytes());
        }
        System.gc();
        long rssAfter = rssBytes();
        System.out.printf("20 load/generate/close cycles: native live %d -> %d bytes (cached %d), RSS %.1f -> %.1f MiB (peak %.1f)%n",
                live, NativeMemory.liveBytes(), NativeMemory.cachedBytes(), rss / 1048576.0, rssAfter / 1048576.0, peakRss / 1048576.0);
        assertEquals(live, NativeMemory.liveBytes(), "native bytes live before and after 20 cycles");
        assertEquals(owners, NativeMemory.openOwners(), "every model closed");
        if (owners == 0) assertEquals(0, NativeMemory.cachedBytes(), "the free-block cache is emptied when the last model closes");
        // RSS includes the Java heap and JIT code, so it is checked loosely: no growth by cycles of model weights
        if (rss > 0) assertTrue(rssAfter < rss * 1.05 + (64L << 20), "RSS " + rss + " -> " + rssAfter);
    }

    @Test
    void closedModelsFailClearlyAndCountAsClosed() {
        TokenizerConfig tc = tinyTokenizer();
        long live = NativeMemory.liveBytes();
        GPT gpt = randomGpt(gptFor(tc), 3);
        assertTrue(NativeMemory.liveBytes() > live);
        gpt.close();
        assertTrue(gpt.isClosed());
        assertEquals(live, NativeMemory.liveBytes());
        var e = assertThrows(IllegalStateException.class, () -> gpt.tokEmbeddings.weight.toFloatArray());
        assertTrue(e.getMessage().contains("after its scope closed"), e.getMessage());
        gpt.close(); // idempotent
    }

    @Test
    void modelsMadeInsideAScopeCloseWithIt() {
        long live = NativeMemory.liveBytes();
        try (Scope s = Scope.open()) {
            randomGpt(gptFor(tinyTokenizer()), 4);
            VFMTokenizer.random(tinyTokenizer(), 4);
        }
        assertEquals(live, NativeMemory.liveBytes());
    }

    @Test
    void imagesWithNoScopeOpenLeaveNothingNative() {
        TokenizerConfig tc = tinyTokenizer();
        try (GPT gpt = randomGpt(gptFor(tc), 5); VFMTokenizer tok = VFMTokenizer.random(tc, 5); ImageGenerator gen = new ImageGenerator(gpt, tok)) {
            int[][] codes = gen.codes(new int[] {3}, OPTIONS, null);
            Tensor first = gen.images(codes);
            long live = NativeMemory.liveBytes();
            for (int i = 0; i < 5; i++) {
                Tensor again = gen.images(codes);
                assertArrayEquals(first.toLongArray(), again.toLongArray());
            }
            assertEquals(live, NativeMemory.liveBytes(), "native bytes after 5 images() calls with no scope open");
            assertFalse(first.segment().isNative(), "images live on the Java heap, owned by the caller");
        }
    }

    /** What one thread does: generate for its classes, decode, and tokenize the decoded images again. */
    private record Work(int[][] codes, long[] pixels, long[] tokens) {}

    private static Work work(ImageGenerator gen, int t) {
        int[][] codes = gen.codes(new int[] {t % 10, (3 * t + 1) % 10}, new GenerationOptions(1.5, SamplingOptions.defaults(), 100 + t), null);
        Tensor img = gen.images(codes);
        long[] tokens;
        try (Scope s = Scope.open()) {
            Tensor x = Pointwise.affine(img.to(org.vfmtok.tensor.DType.F32).permute(0, 3, 1, 2).contiguous(), 1 / 127.5, -1);
            tokens = gen.tokenizer().encode(x).toLongArray();
        }
        return new Work(codes, img.toLongArray(), tokens);
    }

    @Test
    void eightThreadsShareOneModelWithSerialResults() throws Exception {
        TokenizerConfig tc = tinyTokenizer();
        long live = NativeMemory.liveBytes();
        try (GPT gpt = randomGpt(gptFor(tc), 6); VFMTokenizer tok = VFMTokenizer.random(tc, 6); ImageGenerator gen = new ImageGenerator(gpt, tok)) {
            int n = 8, rounds = 3;
            List<Work> serial = new ArrayList<>();
            for (int t = 0; t < n; t++) serial.add(work(gen, t));
            ExecutorService pool = Executors.newFixedThreadPool(n);
            try {
                for (int r = 0; r < rounds; r++) {
                    CountDownLatch start = new CountDownLatch(1);
                    List<Future<Work>> futures = new ArrayList<>();
                    for (int t = 0; t < n; t++) {
                        int id = t;
                        futures.add(pool.submit(() -> {
                            start.await();
                            return work(gen, id);
                        }));
                    }
                    start.countDown();
                    for (int t = 0; t < n; t++) {
                        Work w = futures.get(t).get(2, TimeUnit.MINUTES), s = serial.get(t);
                        for (int i = 0; i < s.codes().length; i++) assertArrayEquals(s.codes()[i], w.codes()[i], "codes of thread " + t + " round " + r);
                        assertArrayEquals(s.pixels(), w.pixels(), "pixels of thread " + t + " round " + r);
                        assertArrayEquals(s.tokens(), w.tokens(), "tokens of thread " + t + " round " + r);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
        assertEquals(live, NativeMemory.liveBytes(), "native bytes after 8 threads x 3 rounds and close");
    }

    @Test
    void aGeneratorUsedByTwoThreadsAtOnceFailsFast() throws Exception {
        TokenizerConfig tc = tinyTokenizer();
        try (GPT gpt = randomGpt(GPTConfig.of("g8", 32, 2, 2, 64, 16, 10, 8), 7); Generator g = new Generator(gpt)) {
            CountDownLatch inside = new CountDownLatch(1), release = new CountDownLatch(1);
            Thread other = Thread.ofPlatform().start(() -> g.generate(new int[] {1}, OPTIONS, (s, steps, l, tok) -> {
                if (s == 1) {
                    inside.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }));
            assertTrue(inside.await(1, TimeUnit.MINUTES));
            var e = assertThrows(IllegalStateException.class, () -> g.generate(new int[] {1}, OPTIONS, null));
            assertTrue(e.getMessage().contains("another thread"), e.getMessage());
            release.countDown();
            other.join();
        }
    }

    @Test
    void warmUpRunsAndLeavesNoNativeMemory() {
        TokenizerConfig tc = tinyTokenizer();
        long live = NativeMemory.liveBytes();
        try (GPT gpt = randomGpt(gptFor(tc), 8); VFMTokenizer tok = VFMTokenizer.random(tc, 8); ImageGenerator gen = new ImageGenerator(gpt, tok)) {
            long loaded = NativeMemory.liveBytes();
            gen.warmUp();
            assertNotNull(gen.generator(), "warm-up generated");
            // what stays is the KV cache kept for the next call, freed by close
            assertEquals(loaded + gen.generator().decoder().allocatedBytes(), NativeMemory.liveBytes());
        }
        assertEquals(live, NativeMemory.liveBytes());
        try (GPT gpt = randomGpt(GPTConfig.of("g8", 32, 2, 2, 64, 16, 10, 8), 8); Generator g = new Generator(gpt)) {
            long loaded = NativeMemory.liveBytes();
            g.warmUp();
            assertEquals(loaded + g.decoder().allocatedBytes(), NativeMemory.liveBytes(), "only the KV decoder stays, until close");
        }
        assertEquals(live, NativeMemory.liveBytes());
    }

    @Test
    void interruptStopsAGenerationWithinAStep() throws Exception {
        long live = NativeMemory.liveBytes();
        GPTConfig c = GPTConfig.of("g8", 32, 2, 2, 64, 16, 10, 8); // 64 steps
        try (GPT gpt = randomGpt(c, 9); Generator g = new Generator(gpt)) {
            AtomicInteger lastStep = new AtomicInteger(-1);
            CountDownLatch atFive = new CountDownLatch(1), interrupted = new CountDownLatch(1);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread worker = Thread.ofPlatform().start(() -> {
                try {
                    g.generate(new int[] {1, 2}, OPTIONS, (s, steps, l, tok) -> {
                        lastStep.set(s);
                        if (s == 5) {
                            atFive.countDown();
                            try {
                                interrupted.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt(); // the interrupt landed while waiting: keep it
                            }
                        }
                    });
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            assertTrue(atFive.await(1, TimeUnit.MINUTES));
            worker.interrupt();
            interrupted.countDown();
            worker.join(60_000);
            assertFalse(worker.isAlive());
            assertInstanceOf(CancellationException.class, thrown.get());
            assertTrue(thrown.get().getMessage().contains("interrupted before step 6 of 64"), thrown.get().getMessage());
            assertEquals(5, lastStep.get(), "no step ran after the interrupt");
            // the generator is usable again, and deadlines stop it the same way
            assertEquals(64, g.generate(new int[] {1}, OPTIONS, null)[0].length);
            var e = assertThrows(CancellationException.class, () -> g.generate(new int[] {1}, OPTIONS.withDeadline(Instant.now().minusSeconds(1)), null));
            assertTrue(e.getMessage().contains("deadline"), e.getMessage());
        }
        assertEquals(live, NativeMemory.liveBytes());
    }
}
