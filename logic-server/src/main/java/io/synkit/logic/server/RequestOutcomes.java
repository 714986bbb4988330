package io.synkit.logic.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.synkit.protocol.internal.Caller;
import io.synkit.protocol.internal.LogicRequest;
import io.synkit.protocol.rpc.RpcException;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request a logic node answers, by kind: {@code synkit_logic_requests_total{kind,outcome}}
 * ({@code outcome} is {@code OK} or the error code) and its latency in
 * {@code synkit_logic_request_seconds{kind}}, a histogram with buckets so that
 * {@code histogram_quantile} gives the p99 an alert budgets (the error-rate and latency alerts of
 * {@code ops/prometheus} read these); and a log line with the request's correlation ids
 * ({@code request}, {@code user}, {@code device}, {@code access}): DEBUG for each request (switch it
 * on at run time through the admin port's {@code /log/level}), WARN for an INTERNAL error. No
 * message content is logged.
 */
final class RequestOutcomes {

    private static final Logger log = LoggerFactory.getLogger(RequestOutcomes.class);


    private final MeterRegistry registry;
    private final LongSupplier nanoTime;

    RequestOutcomes(MeterRegistry registry, LongSupplier nanoTime) {
        this.registry = registry;
        this.nanoTime = nanoTime;
    }

    /** Counts, times and logs {@code answer} once it completes. */
    <T> CompletionStage<T> record(Caller caller, LogicRequest.BodyCase kind, CompletionStage<T> answer) {
        long startNs = nanoTime.getAsLong();
        String kindLabel = kind.name().toLowerCase(Locale.ROOT);
        return answer.whenComplete((reply, failure) -> {
            String outcome = failure == null ? "OK" : RpcException.of(failure).error().getCode().name();
            registry.counter("synkit.logic.requests", "kind", kindLabel, "outcome", outcome).increment();
            long tookNs = nanoTime.getAsLong() - startNs;
            Timer.builder("synkit.logic.request").tag("kind", kindLabel).publishPercentileHistogram().register(registry)
                    .record(tookNs, TimeUnit.NANOSECONDS);
            if (failure != null && outcome.equals("INTERNAL")) {
                log.warn("request failed request={} user={} device={} access={} kind={} outcome={} ms={} reason=\"{}\"", caller.getRequestId(),
                        caller.getUserId(), caller.getDeviceId(), caller.getAccessNode(), kindLabel, outcome, TimeUnit.NANOSECONDS.toMillis(tookNs),
                        RpcException.of(failure).getMessage());
            } else if (log.isDebugEnabled()) {
                log.debug("request answered request={} user={} device={} access={} kind={} outcome={} ms={}", caller.getRequestId(), caller.getUserId(),
                        caller.getDeviceId(), caller.getAccessNode(), kindLabel, outcome, TimeUnit.NANOSECONDS.toMillis(tookNs));
            }
        });
    }
}
