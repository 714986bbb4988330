package io.synkit.logic.server;

import io.synkit.logic.device.LoginPolicy;
import io.synkit.logic.store.StoreRetryPolicy;
import io.synkit.protocol.rpc.TlsFiles;
import io.synkit.protocol.slot.SlotMap;
import io.synkit.runtime.Config;
import io.synkit.runtime.ConfigException;
import java.util.List;

/**
 * A logic node's settings, validated together at start-up.
 *
 * @param storeSets a fixed slot map: the SETs and their replicas, {@code s1=host:port[|host:port...],s2=...},
 *     slots spread evenly (empty when the map comes from the meta SET)
 * @param metaReplicas the meta SET's replicas, to watch the slot map there (empty with a fixed map)
 * @param metaPollMs how often the slot map is fetched from the meta SET
 * @param groupMembersMax members of a group at most, creator included
 * @param setProbeIntervalMs how often every replica of every SET is asked whether it is the primary ({@code SetProbe})
 * @param readyPrimaryGraceMs a SET counts as without a reachable primary after this long without one; with no SET
 *     reachable the node is not ready
 * @param tls internal mutual TLS of the RPC port and of the connections to stores and access nodes
 * @param loginPolicy logged-in devices per platform class ({@code logic.login.*.sessions.max})
 * @param groupChangeUsersMax users one membership change adds or removes at most
 * @param historyEntriesMax conversation entries one history page holds at most (also its default)
 * @param conversationsMax conversations one conversation-list page holds at most (also its default)
 * @param groupWriteDiffusionMembersMax a group with more members than this is read from its
 *     conversation log (read diffusion, docs/protocol.md §15.5); at most this many: every entry
 *     into every member's inbox (write diffusion)
 * @param outboxDoneFlushMs how often the outbox marks of finished fan-outs are cleared, one batch per home SET
 *     ({@code OutboxCompletions}); below {@code outboxMinAgeMs}, or the re-driver repeats fan-outs waiting for their batch
 * @param outboxDoneBatchEntriesMax finished fan-outs one batch clears at most; a full batch is sent at once
 */
public record LogicConfig(String bindHost, int port, int adminPort, String storeSets, List<String> metaReplicas, long metaPollMs,
                          int slotCount, int ioThreads,
                          int bodyBytesMax, int syncOpsDefault, int syncOpsMax, int outboxIntervalMs, int outboxMinAgeMs,
                          int inflightCountMax, int groupMembersMax, StoreRetryPolicy storeRetry,
                          long setProbeIntervalMs, long readyPrimaryGraceMs, TlsFiles tls, LoginPolicy loginPolicy,
                          int groupChangeUsersMax, int historyEntriesMax, int conversationsMax,
                          int groupWriteDiffusionMembersMax, int outboxDoneFlushMs, int outboxDoneBatchEntriesMax) {

    public static LogicConfig from(Config config) {
        LogicConfig logic = new LogicConfig(
                config.string("logic.bind.host", "127.0.0.1"),
                config.integer("logic.port", 7200, 0, 65535),
                config.integer("logic.admin.port", -1, -1, 65535),
                config.string("logic.store.sets", ""),
                config.list("logic.meta.replicas"),
                config.longValue("logic.meta.poll.ms", 1000, 10, 3_600_000),
                config.integer("logic.slot.count", SlotMap.SLOT_COUNT_DEFAULT, 1, 1 << 20),
                config.integer("logic.io.threads", 2, 1, 64),
                config.integer("logic.body.bytes.max", 64 * 1024, 1, 16 << 20),
                config.integer("logic.sync.ops.default", 100, 1, 100_000),
                config.integer("logic.sync.ops.max", 500, 1, 100_000),
                config.integer("logic.outbox.interval.ms", 1000, 10, 3_600_000),
                config.integer("logic.outbox.min.age.ms", 5000, 0, 3_600_000),
                config.integer("logic.rpc.inflight.max", 50_000, 1, 10_000_000),
                config.integer("logic.group.members.max", 10_000, 2, 10_000),
                new StoreRetryPolicy(
                        config.integer("logic.store.attempts.max", 8, 1, 100),
                        config.integer("logic.store.attempt.timeout.ms", 2000, 1, 600_000),
                        config.integer("logic.store.backoff.base.ms", 20, 1, 60_000),
                        config.integer("logic.store.backoff.max.ms", 500, 1, 600_000)),
                config.longValue("logic.set.probe.interval.ms", 1000, 10, 60_000),
                config.longValue("logic.ready.primary.grace.ms", 3000, 10, 600_000),
                TlsFiles.read(config, "logic"),
                new LoginPolicy(
                        config.integer("logic.login.phone.sessions.max", 1, 0, LoginPolicy.CLASS_SESSIONS_MAX),
                        config.integer("logic.login.tablet.sessions.max", 1, 0, LoginPolicy.CLASS_SESSIONS_MAX),
                        config.integer("logic.login.desktop.sessions.max", 1, 0, LoginPolicy.CLASS_SESSIONS_MAX),
                        config.integer("logic.login.unspecified.sessions.max", LoginPolicy.CLASS_SESSIONS_MAX, 0, LoginPolicy.CLASS_SESSIONS_MAX)),
                config.integer("logic.group.change.users.max", 100, 1, 10_000),
                config.integer("logic.history.entries.max", 100, 1, 1_000),
                config.integer("logic.conversations.max", 100, 1, 1_000),
                config.integer("logic.group.write.diffusion.members.max", 500, 2, 10_000),
                config.integer("logic.outbox.done.flush.ms", 50, 1, 60_000),
                config.integer("logic.outbox.done.batch.entries.max", 1024, 1, 4096));
        config.checkNoUnknownKeys();
        return logic.validated();
    }

    public LogicConfig validated() {
        if (syncOpsDefault > syncOpsMax) {
            throw new ConfigException("config: logic.sync.ops.default=" + syncOpsDefault + " must be <= logic.sync.ops.max=" + syncOpsMax);
        }
        if (storeRetry.backoffMaxMs() < storeRetry.backoffBaseMs()) {
            throw new ConfigException("config: logic.store.backoff.max.ms=" + storeRetry.backoffMaxMs()
                    + " must be >= logic.store.backoff.base.ms=" + storeRetry.backoffBaseMs());
        }
        if (readyPrimaryGraceMs < setProbeIntervalMs) {
            throw new ConfigException("config: logic.ready.primary.grace.ms=" + readyPrimaryGraceMs + " must be >= logic.set.probe.interval.ms="
                    + setProbeIntervalMs + " (a SET is probed at least once within the grace)");
        }
        if (outboxDoneFlushMs >= outboxMinAgeMs) {
            throw new ConfigException("config: logic.outbox.done.flush.ms=" + outboxDoneFlushMs + " must be < logic.outbox.min.age.ms="
                    + outboxMinAgeMs + " (else the re-driver repeats fan-outs whose marks wait for their batch)");
        }
        if (groupChangeUsersMax > groupMembersMax) {
            throw new ConfigException("config: logic.group.change.users.max=" + groupChangeUsersMax + " must be <= logic.group.members.max="
                    + groupMembersMax);
        }
        if (storeSets.isBlank() == metaReplicas.isEmpty()) {
            throw new ConfigException("config: give exactly one of logic.store.sets (a fixed slot map) and logic.meta.replicas (the meta SET"
                    + " holds the map); got " + (storeSets.isBlank() ? "neither" : "both"));
        }
        if (!storeSets.isBlank()) {
            try {
                fixedSlotMap();
            } catch (IllegalArgumentException e) {
                throw new ConfigException("config: logic.store.sets=" + storeSets + ": " + e.getMessage());
            }
        }
        return this;
    }

    /** The fixed map of {@code logic.store.sets}. */
    public SlotMap fixedSlotMap() {
        return SlotMap.parse(1, slotCount, storeSets);
    }
}
