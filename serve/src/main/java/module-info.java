/**
 * {@code vfm serve}: an HTTP service and a single web page over a GPT and a VFMTok tokenizer (generate, tokenize,
 * detokenize, reconstruct), with continuous batching of generate requests across clients. Built on Helidon SE's
 * webserver (virtual threads), Jackson for JSON and Micrometer's Prometheus registry for {@code /metrics}.
 */
module org.vfmtok.serve {
    requires transitive org.vfmtok.llama;
    requires io.helidon.webserver;
    requires io.helidon.common.task;   // ConnectionScope's connection keeps Helidon's InterruptableTask contract
    requires io.helidon.webserver.sse;
    requires io.helidon.webserver.staticcontent;
    requires com.fasterxml.jackson.databind;
    requires micrometer.core;
    requires micrometer.registry.prometheus;
    requires java.desktop;
    requires java.net.http;   // ServeBench, the load client of `vfm bench serve`

    exports org.vfmtok.serve;
}
