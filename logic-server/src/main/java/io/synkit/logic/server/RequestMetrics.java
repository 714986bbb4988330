package io.synkit.logic.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.synkit.protocol.internal.LogicRequest;
import io.synkit.protocol.rpc.RpcException;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Every request a logic node answers, by kind: {@code synkit_logic_requests_total{kind,outcome}}
 * ({@code outcome} is {@code OK} or the error code) and its latency in
 * {@code synkit_logic_request_seconds{kind}}, a histogram with buckets so that
 * {@code histogram_quantile} gives the p99 an alert budgets. The error-rate and latency alerts of
 * {@code ops/prometheus} read these.
 */
final class RequestMetrics {

    private final MeterRegistry registry;
    private final LongSupplier nanoTime;

    RequestMetrics(MeterRegistry registry, LongSupplier nanoTime) {
        this.registry = registry;
        this.nanoTime = nanoTime;
    }

    /** Counts and times {@code answer} once it completes. */
    <T> CompletionStage<T> record(LogicRequest.BodyCase kind, CompletionStage<T> answer) {
        long startNs = nanoTime.getAsLong();
        String kindLabel = kind.name().toLowerCase(Locale.ROOT);
        return answer.whenComplete((reply, failure) -> {
            String outcome = failure == null ? "OK" : RpcException.of(failure).error().getCode().name();
            registry.counter("synkit.logic.requests", "kind", kindLabel, "outcome", outcome).increment();
            Timer.builder("synkit.logic.request").tag("kind", kindLabel).publishPercentileHistogram().register(registry)
                    .record(nanoTime.getAsLong() - startNs, TimeUnit.NANOSECONDS);
        });
    }
}
