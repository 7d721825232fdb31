package org.vfmtok.serve;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The service's meters in a Micrometer Prometheus registry of its own (not the global one: an embedding host
 * keeps its registry): requests and latency histograms per endpoint and status, queue depth, running rows and
 * tasks, decode batch sizes and step times, tokens generated (Prometheus takes the rate: tokens/s) and a gauge of
 * the tokens/s of the last step.
 */
final class ServeMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final DistributionSummary batchRows;
    private final Timer stepTime;
    private final Counter tokens;
    private final AtomicLong lastTokensPerSecond = new AtomicLong();
    /** Held here: Micrometer keeps gauges' state objects only weakly. */
    private final GenerationScheduler[] scheduler;

    ServeMetrics(GenerationScheduler[] scheduler) {
        this.scheduler = scheduler;
        Gauge.builder("vfm_queue_depth", scheduler, s -> s[0] == null ? 0 : s[0].queued()).description("generate requests waiting").register(registry);
        Gauge.builder("vfm_running_requests", scheduler, s -> s[0] == null ? 0 : s[0].runningTasks()).description("generate requests in the decode batch").register(registry);
        Gauge.builder("vfm_running_rows", scheduler, s -> s[0] == null ? 0 : s[0].runningRows()).description("decoder rows in use (CFG rows counted)").register(registry);
        for (String outcome : new String[] {"completed", "cancelled", "failed"}) {
            io.micrometer.core.instrument.FunctionCounter.builder("vfm_generate_requests", scheduler, s -> s[0] == null ? 0
                            : outcome.equals("completed") ? s[0].completed() : outcome.equals("cancelled") ? s[0].cancelled() : s[0].failed())
                    .tag("outcome", outcome).description("generate requests that left the scheduler, by outcome").register(registry);
        }
        batchRows = DistributionSummary.builder("vfm_batch_rows").description("decoder rows per decode step").publishPercentileHistogram().register(registry);
        stepTime = Timer.builder("vfm_decode_step").description("time of one decode step of the whole batch").publishPercentileHistogram().register(registry);
        tokens = Counter.builder("vfm_tokens_generated").description("tokens decoded (all rows)").register(registry);
        Gauge.builder("vfm_tokens_per_second", lastTokensPerSecond, AtomicLong::get).description("tokens/s of the last decode step").register(registry);
    }

    /** A step of the scheduler: its rows, its time. */
    void step(int rows, long nanos) {
        batchRows.record(rows);
        stepTime.record(Duration.ofNanos(nanos));
        tokens.increment(rows);
        lastTokensPerSecond.set(nanos > 0 ? Math.round(rows * 1e9 / nanos) : 0);
    }

    /** A finished request: endpoint, status, seconds. */
    void request(String endpoint, int status, long nanos) {
        Timer.builder("vfm_http_requests").description("HTTP requests by endpoint and status")
                .tag("endpoint", endpoint).tag("status", Integer.toString(status))
                .publishPercentileHistogram().register(registry).record(Duration.ofNanos(nanos));
    }

    /** A request whose client closed the connection before its answer (its work was cancelled). */
    void clientGone(String endpoint) {
        Counter.builder("vfm_client_disconnects").description("requests whose client closed the connection before the answer; their work was cancelled")
                .tag("endpoint", endpoint).register(registry).increment();
    }

    /** The Prometheus text exposition. */
    String scrape() { return registry.scrape(); }
}
