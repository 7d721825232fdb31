package org.vfmtok.serve;

import static org.junit.jupiter.api.Assertions.*;
import static org.vfmtok.serve.ServerTestSupport.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vfmtok.llama.GenerationOptions;
import org.vfmtok.llama.Generator;
import org.vfmtok.llama.SamplingOptions;

/**
 * The API over random demo-size models: every endpoint's happy path, every refusal as JSON with a 4xx status,
 * and generate requests made concurrently (so that they share decode steps) returning exactly the codes of the
 * same request generated alone by a {@link Generator}.
 */
class ServerApiTest {
    private static VfmServer server;

    @BeforeAll
    static void start() {
        server = VfmServer.start(models(), options(16, 64));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static int[][] alone(int[] classes, GenerationOptions o) {
        try (Generator g = new Generator(models().gpt())) {
            return g.generate(classes, o, null);
        }
    }

    private static int[] codes(JsonNode image) {
        JsonNode c = image.get("codes");
        int[] out = new int[c.size()];
        for (int i = 0; i < out.length; i++) out[i] = c.get(i).asInt();
        return out;
    }

    @Test
    void healthReadinessAndMetrics() throws Exception {
        assertEquals(200, get(server, "/healthz").statusCode());
        HttpResponse<String> ready = get(server, "/readyz");
        assertEquals(200, ready.statusCode());
        assertTrue(ready.body().contains("\"ready\":true"), ready.body());
        postJson(server, "/v1/generate", "{\"classes\":[1]}");
        HttpResponse<String> m = get(server, "/metrics");
        assertEquals(200, m.statusCode());
        assertFalse(m.body().contains("NaN"), m.body());
        assertTrue(m.body().contains("vfm_generate_requests_total{outcome=\"completed\"}"), m.body());
        for (String name : List.of("vfm_queue_depth", "vfm_batch_rows", "vfm_decode_step_seconds", "vfm_tokens_generated_total", "vfm_http_requests_seconds_bucket",
                "endpoint=\"generate\"", "vfm_generate_requests_total")) {
            assertTrue(m.body().contains(name), name + " in\n" + m.body());
        }
        JsonNode info = JSON.readTree(get(server, "/v1/info").body());
        assertEquals(1000, info.get("classes").size());
        assertEquals("golden retriever", info.get("classes").get(207).asText());
        assertTrue(info.get("random_weights").asBoolean());
    }

    @Test
    void generateReturnsImagesAndTheCodesOfTheRequestAlone() throws Exception {
        HttpResponse<byte[]> r = postJson(server, "/v1/generate",
                "{\"classes\":[207,360],\"per_class\":2,\"seed\":5,\"cfg_scale\":1.5,\"top_k\":0,\"top_p\":1.0,\"temperature\":1.0}");
        assertEquals(200, r.statusCode(), new String(r.body()));
        JsonNode body = json(r);
        JsonNode images = body.get("images");
        assertEquals(4, images.size());
        int[][] expected = alone(new int[] {207, 207, 360, 360}, new GenerationOptions(1.5, SamplingOptions.defaults(), 5));
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(expected[i], codes(images.get(i)), "image " + i);
            assertEquals(i < 2 ? 207 : 360, images.get(i).get("class").asInt());
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(images.get(i).get("png_base64").asText())));
            assertEquals(models().imageSize(), img.getWidth());
        }
        assertTrue(body.get("timing_ms").get("total").asDouble() > 0);
    }

    @Test
    void concurrentRequestsShareStepsAndStillMatchTheirSoloCodes() throws Exception {
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<HttpResponse<byte[]>>> answers = new ArrayList<Future<HttpResponse<byte[]>>>();
            for (int i = 0; i < n; i++) {
                String body = "{\"classes\":[" + (i * 37 % 1000) + "],\"seed\":" + i + ",\"cfg_scale\":" + (i % 3 == 0 ? 1.0 : 2.0) + ",\"top_k\":" + (i % 2 == 0 ? 0 : 20) + "}";
                answers.add(pool.submit(() -> postJson(server, "/v1/generate", body)));
            }
            for (int i = 0; i < n; i++) {
                HttpResponse<byte[]> r = answers.get(i).get();
                assertEquals(200, r.statusCode(), new String(r.body()));
                GenerationOptions o = new GenerationOptions(i % 3 == 0 ? 1.0 : 2.0, -1, new SamplingOptions(1.0, i % 2 == 0 ? 0 : 20, 1.0, true), i);
                assertArrayEquals(alone(new int[] {i * 37 % 1000}, o)[0], codes(json(r).get("images").get(0)), "request " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void acceptPngGivesTheGridAsOnePng() throws Exception {
        HttpResponse<byte[]> r = post(server, "/v1/generate", "{\"classes\":[1,2,3],\"seed\":1}".getBytes(), "image/png");
        assertEquals(200, r.statusCode());
        assertEquals("image/png", r.headers().firstValue("content-type").orElse(""));
        BufferedImage grid = ImageIO.read(new ByteArrayInputStream(r.body()));
        int s = models().imageSize();
        assertEquals(3 * s + 2 * 2, grid.getWidth());
        assertEquals(s, grid.getHeight());
    }

    @Test
    void tokenizeDetokenizeAndReconstruct() throws Exception {
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) for (int x = 0; x < 40; x++) img.setRGB(x, y, (x * 6) << 16 | (y * 8) << 8 | 90);
        byte[] png = ImageCodec.png(img);
        HttpResponse<byte[]> t = post(server, "/v1/tokenize", png, null);
        assertEquals(200, t.statusCode(), new String(t.body()));
        JsonNode codes = json(t).get("codes");
        assertEquals(models().tokenizer().config().tokens(), codes.size());
        HttpResponse<byte[]> d = postJson(server, "/v1/detokenize", "{\"codes\":" + codes + "}");
        assertEquals(200, d.statusCode(), new String(d.body()));
        assertEquals(models().imageSize(), ImageIO.read(new ByteArrayInputStream(d.body())).getWidth());
        HttpResponse<byte[]> rec = post(server, "/v1/reconstruct", png, "application/json");
        assertEquals(200, rec.statusCode(), new String(rec.body()));
        JsonNode rj = json(rec);
        assertTrue(rj.get("psnr").asDouble() > 0 && rj.get("ssim").isNumber(), rj.toString());
        HttpResponse<byte[]> recPng = post(server, "/v1/reconstruct", png, "image/png");
        assertEquals("image/png", recPng.headers().firstValue("content-type").orElse(""));
        assertTrue(recPng.headers().firstValue("X-PSNR").isPresent());
    }

    private static void assertRefused(HttpResponse<byte[]> r, int status, String fragment) throws Exception {
        assertEquals(status, r.statusCode(), new String(r.body()));
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"), r.headers().toString());
        String error = json(r).get("error").asText();
        assertTrue(error.contains(fragment), "'" + fragment + "' in: " + error);
    }

    @Test
    void everyBadRequestIsAJsonErrorWithA4xxStatus() throws Exception {
        assertRefused(postJson(server, "/v1/generate", "{\"classes\":[1000]}"), 400, "class id 1000 is out of range [0, 1000)");
        assertRefused(postJson(server, "/v1/generate", "{\"classes\":[-1]}"), 400, "class id -1");
        assertRefused(postJson(server, "/v1/generate", "{\"classes\":[]}"), 400, "'classes'");
        assertRefused(postJson(server, "/v1/generate", "{\"classes\":[1],\"per_class\":100}"), 400, "'per_class' must be in [1, 8]");
        assertRefused(postJson(server, "/v1/generate", "{\"classes\":[1,2,3],\"per_class\":8}"), 400, "at most 16 per request");
        assertRefused(postJson(server, "/v1/generate", "{\"classes\":[1,2],\"per_class\":8,\"cfg_scale\":2}"), 400, "32 decoder rows");
        assertRefused(postJson(server, "/v1/generate", "{\"classes\":[1],\"top_p\":0}"), 400, "'top_p'");
        assertRefused(postJson(server, "/v1/generate", "{\"classes\":[1],\"temperature\":-1}"), 400, "'temperature'");
        assertRefused(postJson(server, "/v1/generate", "{\"classes\":[1],\"cfg_scale\":0.5}"), 400, "'cfg_scale'");
        assertRefused(postJson(server, "/v1/generate", "{\"classes\":[1],\"seed\":1.5}"), 400, "'seed' must be an integer");
        assertRefused(postJson(server, "/v1/generate", "{\"classes\":[1],\"colour\":3}"), 400, "unknown field 'colour'");
        assertRefused(postJson(server, "/v1/generate", "{\"classes\":[1"), 400, "not valid JSON");
        assertRefused(postJson(server, "/v1/generate", "[1,2]"), 400, "JSON object");
        assertRefused(post(server, "/v1/generate", new byte[(8 << 20) + 10], "application/json"), 413, "larger than the limit");
        assertRefused(post(server, "/v1/tokenize", "not an image".getBytes(), null), 400, "not an image");
        assertRefused(post(server, "/v1/tokenize", new byte[0], null), 400, "empty body");
        assertRefused(post(server, "/v1/reconstruct", hugePngHeader(), null), 400, "pixels");
        assertRefused(postJson(server, "/v1/detokenize", "{\"codes\":[1,2]}"), 400, "16 code ids");
        assertRefused(postJson(server, "/v1/detokenize", "{\"codes\":[" + "1,".repeat(15) + "128]}"), 400, "not an id in [0, 128)");
        assertRefused(postJson(server, "/v1/nothing", "{}"), 404, "no such endpoint");
        HttpResponse<String> s = get(server, "/v1/generate/stream?classes=5000");
        assertEquals(400, s.statusCode());
        assertTrue(s.body().contains("class id 5000"), s.body());
    }

    /** A PNG whose header declares 100000 x 100000 pixels (and holds none): refused from the header. */
    private static byte[] hugePngHeader() throws Exception {
        BufferedImage one = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        byte[] png = ImageCodec.png(one);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(png);
        b.putInt(16, 100_000);
        b.putInt(20, 100_000);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(png, 12, 17);
        b.putInt(29, (int) crc.getValue());
        return png;
    }

    @Test
    void thePageAndItsFilesAreServedFromTheJar() throws Exception {
        HttpResponse<String> page = get(server, "/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<title>vfm serve</title>"), page.body());
        assertEquals(200, get(server, "/app.js").statusCode());
        assertEquals(200, get(server, "/imagenet-classes.json").statusCode());
    }
}
