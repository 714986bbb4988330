package io.synkit.logic.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.synkit.protocol.client.ErrorCode;
import io.synkit.protocol.internal.Caller;
import io.synkit.protocol.internal.LogicRequest;
import io.synkit.protocol.rpc.RpcException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The series the error-rate and latency alerts of ops/prometheus read, as a logic node exports them. */
class RequestOutcomesTest {

    private static final Caller CALLER = Caller.newBuilder().setUserId(7).setDeviceId("phone").setAccessNode("127.0.0.1:7101").setRequestId(3).build();

    @Test
    void eachAnswerIsCountedByKindAndOutcomeAndTimedInAHistogram() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AtomicLong nowNs = new AtomicLong();
        RequestOutcomes metrics = new RequestOutcomes(registry, nowNs::get);

        CompletableFuture<String> ok = new CompletableFuture<>();
        metrics.record(CALLER, LogicRequest.BodyCase.SEND, ok);
        nowNs.addAndGet(300_000_000);
        ok.complete("ack");
        metrics.record(CALLER, LogicRequest.BodyCase.CREATE_GROUP, CompletableFuture.failedFuture(new RpcException(ErrorCode.UNAVAILABLE, "no primary")));

        String scrape = registry.scrape();
        assertTrue(scrape.contains("synkit_logic_requests_total{kind=\"send\",outcome=\"OK\"} 1"), scrape);
        assertTrue(scrape.contains("synkit_logic_requests_total{kind=\"create_group\",outcome=\"UNAVAILABLE\"} 1"), scrape);
        assertTrue(scrape.contains("synkit_logic_request_seconds_bucket{kind=\"send\",le=\"0.268435456\"} 0"), "300 ms is above this bucket: " + scrape);
        assertTrue(scrape.contains("synkit_logic_request_seconds_bucket{kind=\"send\",le=\"0.357913941\"} 1"), scrape);
    }
}
