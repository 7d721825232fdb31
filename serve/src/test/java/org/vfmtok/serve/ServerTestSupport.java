package org.vfmtok.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** An HTTP client for the tests (the JDK's) and the shared random demo-size models. */
final class ServerTestSupport {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static ServedModels models;

    private ServerTestSupport() {}

    /** One set of random demo-size models for all the tests of this JVM (freed at exit with the JVM). */
    static synchronized ServedModels models() {
        if (models == null) models = ServedModels.randomDemo(0);
        return models;
    }

    static ServeOptions options(int batch, int queue) {
        return ServeOptions.defaults().withPort(0).withBatch(batch, queue);
    }

    static String url(VfmServer s, String path) { return "http://127.0.0.1:" + s.port() + path; }

    static HttpResponse<byte[]> post(VfmServer s, String path, byte[] body, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(s, path))).timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (accept != null) b.header("Accept", accept);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<byte[]> postJson(VfmServer s, String path, String json) throws IOException, InterruptedException {
        return post(s, path, json.getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json");
    }

    static HttpResponse<String> get(VfmServer s, String path) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url(s, path))).timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<byte[]> r) throws IOException { return JSON.readTree(r.body()); }
}
