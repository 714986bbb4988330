package io.synkit.ops.scenario;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A scenario file (YAML): the cluster, the users by group (how many, devices each, how chatty,
 * which network profile), the open-loop rate and duration, and a fault schedule. The seed makes
 * every random choice replayable. {@code scenarios/*.yaml} are the shipped ones.
 */
public record Scenario(
        String name,
        String description,
        long seed,
        ClusterSpec cluster,
        @JsonProperty("duration_s") int durationS,
        @JsonProperty("rate_per_s") double ratePerS,
        @JsonProperty("converge_timeout_s") int convergeTimeoutS,
        List<GroupSpec> groups,
        List<FaultSpec> faults) {

    /**
     * @param mode {@code embedded} (one JVM, SETs of one replica: fast, for CI) or {@code processes}
     *             (SETs of 3 real store processes, logic and access processes: for process faults)
     * @param storeConfig extra store replica settings for {@code processes} (e.g.
     *             {@code store.log.retain.entries: 0}), passed to every store as flags; may be absent
     * @param logicConfig extra logic node settings (e.g. {@code logic.group.write.diffusion.members.max: 10},
     *             so group chats switch to read diffusion during the run); may be absent
     */
    public record ClusterSpec(String mode, int sets, @JsonProperty("store_config") Map<String, String> storeConfig,
                              @JsonProperty("logic_config") Map<String, String> logicConfig) {

        /** The store settings as {@code --key=value} flags. */
        public List<String> storeArgs() {
            return flags(storeConfig);
        }

        /** The logic settings as {@code --key=value} flags. */
        public List<String> logicArgs() {
            return flags(logicConfig);
        }

        /** The logic settings (none: empty). */
        public Map<String, String> logicSettings() {
            return logicConfig == null ? Map.of() : Map.copyOf(logicConfig);
        }

        private static List<String> flags(Map<String, String> settings) {
            return settings == null ? List.of()
                    : settings.entrySet().stream().map(entry -> "--" + entry.getKey() + "=" + entry.getValue()).sorted().toList();
        }
    }

    /**
     * @param link a chaos link profile name ({@code clean}, {@code 3g}, {@code 2g}, {@code flaky-wifi}, {@code subway})
     * @param chatGroupSize group-heavy users: each creates a group chat of this many members (absent or 0: none)
     * @param chatGroupSendShare group-heavy users: share of their messages that go to their group chats (0..1)
     * @param chatGroupChurnShare group-heavy users: share of their turns spent changing their group chat's members instead (0..1)
     * @param readMarkShare share of a device's turns after which it marks its newest conversation read (0..1)
     * @param chatGroupGrowTo group-heavy users: churn adds members up to this size (absent or 0: the size at creation)
     */
    public record GroupSpec(String name, int users, @JsonProperty("devices_per_user") int devicesPerUser,
                            @JsonProperty("send_weight") double sendWeight, String link,
                            @JsonProperty("chat_group_size") int chatGroupSize, @JsonProperty("chat_group_send_share") double chatGroupSendShare,
                            @JsonProperty("chat_group_churn_share") double chatGroupChurnShare,
                            @JsonProperty("read_mark_share") double readMarkShare,
                            @JsonProperty("chat_group_grow_to") int chatGroupGrowTo) {

        /** The size churn may grow the group chat to. */
        public int growTo() {
            return chatGroupGrowTo == 0 ? chatGroupSize : chatGroupGrowTo;
        }
    }

    /**
     * @param action {@code kill} (SIGKILL, restarted after {@code restore_after_s}), {@code pause}
     *               (SIGSTOP, resumed after {@code restore_after_s}), {@code restart} (kill and start
     *               at once), {@code rolling-restart} (every process once, one at a time,
     *               {@code restore_after_s} apart), {@code partition} (cut a store replica off from
     *               its SET's other replicas, healed after {@code restore_after_s}; clients still
     *               reach it), {@code wipe} (a store replica loses its disk and rejoins empty,
     *               catching up from a checkpoint)
     * @param node {@code s1-r0}, {@code primary:s1}, {@code backup:s1}, {@code logic}, {@code access}
     *             (resolved when the fault fires); unused by rolling-restart
     */
    public record FaultSpec(@JsonProperty("at_s") double atS, String action, String node, @JsonProperty("restore_after_s") double restoreAfterS) {
    }

    public static Scenario load(Path file) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory()).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        Scenario scenario = yaml.readValue(file.toFile(), Scenario.class);
        return scenario.validated(file);
    }

    private Scenario validated(Path file) {
        require(name != null && name.matches("[a-z0-9-]{1,40}"), file, "name must be 1-40 of [a-z0-9-], got " + name);
        require(cluster != null && ("embedded".equals(cluster.mode()) || "processes".equals(cluster.mode())), file,
                "cluster.mode must be embedded or processes");
        require(cluster.sets() >= 1 && cluster.sets() <= 16, file, "cluster.sets must be 1..16, got " + cluster.sets());
        if (cluster.storeConfig() != null) {
            for (String key : cluster.storeConfig().keySet()) {
                require(key.matches("store\\.[a-z.]+"), file, "cluster.store_config key '" + key + "' is not a store setting (store.*)");
            }
        }
        for (String key : cluster.logicSettings().keySet()) {
            require(key.matches("logic\\.[a-z.]+"), file, "cluster.logic_config key '" + key + "' is not a logic setting (logic.*)");
        }
        require(durationS >= 1 && durationS <= 3600, file, "duration_s must be 1..3600, got " + durationS);
        require(ratePerS > 0 && ratePerS <= 100_000, file, "rate_per_s must be in (0, 100000], got " + ratePerS);
        require(convergeTimeoutS >= 1 && convergeTimeoutS <= 600, file, "converge_timeout_s must be 1..600, got " + convergeTimeoutS);
        require(groups != null && !groups.isEmpty(), file, "groups: at least one group");
        for (GroupSpec group : groups) {
            require(group.users() >= 1 && group.devicesPerUser() >= 1 && group.sendWeight() >= 0 && group.link() != null, file,
                    "group " + group.name() + ": users >= 1, devices_per_user >= 1, send_weight >= 0 and a link are required");
            require(group.chatGroupSize() == 0 || (group.chatGroupSize() >= 2 && group.chatGroupSize() <= 500), file,
                    "group " + group.name() + ": chat_group_size must be 0 or 2..500, got " + group.chatGroupSize());
            require(group.chatGroupSendShare() >= 0 && group.chatGroupSendShare() <= 1 && (group.chatGroupSendShare() == 0 || group.chatGroupSize() > 0),
                    file, "group " + group.name() + ": chat_group_send_share must be in [0, 1] and needs a chat_group_size");
            require(group.chatGroupChurnShare() >= 0 && group.chatGroupChurnShare() <= 1 && (group.chatGroupChurnShare() == 0 || group.chatGroupSize() > 0)
                    && group.readMarkShare() >= 0 && group.readMarkShare() <= 1, file,
                    "group " + group.name() + ": chat_group_churn_share (needs a chat_group_size) and read_mark_share must be in [0, 1]");
            require(group.chatGroupGrowTo() == 0 || (group.chatGroupGrowTo() >= group.chatGroupSize() && group.chatGroupGrowTo() <= 500
                    && group.chatGroupChurnShare() > 0), file, "group " + group.name() + ": chat_group_grow_to must be 0 or chat_group_size..500"
                    + " and needs a chat_group_churn_share, got " + group.chatGroupGrowTo());
        }
        for (FaultSpec fault : faults()) {
            require(fault.atS() >= 0 && fault.atS() <= durationS, file, "fault at_s=" + fault.atS() + " must be within the run's " + durationS + " s");
            require(List.of("kill", "pause", "restart", "rolling-restart", "partition", "wipe").contains(fault.action()), file,
                    "fault action '" + fault.action() + "' is not kill, pause, restart, rolling-restart, partition or wipe");
            require("processes".equals(cluster.mode()), file, "faults need cluster.mode: processes");
        }
        return this;
    }

    public boolean partitions() {
        return faults().stream().anyMatch(fault -> fault.action().equals("partition"));
    }

    @Override
    public List<FaultSpec> faults() {
        return faults == null ? List.of() : faults;
    }

    private static void require(boolean condition, Path file, String message) {
        if (!condition) {
            throw new IllegalArgumentException("scenario " + file + ": " + message);
        }
    }
}
