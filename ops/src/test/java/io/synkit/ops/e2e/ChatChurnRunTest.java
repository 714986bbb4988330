package io.synkit.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.synkit.ops.cluster.EmbeddedCluster;
import io.synkit.protocol.auth.AuthKeys;
import io.synkit.protocol.auth.TokenCodec;
import io.synkit.protocol.client.ConversationSummary;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.runtime.Clock;
import io.synkit.runtime.NettyThreads;
import io.synkit.sim.chaos.ChaosProxy;
import io.synkit.sim.chaos.LinkProfile;
import io.synkit.sim.check.CheckResult;
import io.synkit.sim.check.Checker;
import io.synkit.sim.device.Delivery;
import io.synkit.sim.device.DeviceSettings;
import io.synkit.sim.device.RunRecorder;
import io.synkit.sim.device.SimDevice;
import io.synkit.sim.run.LoadRun;
import io.synkit.sim.run.LoadSettings;
import io.synkit.sim.run.RunReport;
import io.synkit.sim.run.UserGroup;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The simulated devices and the checker with chat semantics, through real servers and a lossy 3g
 * link: group creators change their chats' members under load and devices mark conversations
 * read; the checker finds nothing lost, duplicated or reordered, no entry on a device whose user
 * was not a member at it, and every user's devices agreeing on read marks and unread counts with
 * the server's conversation list. The checker's two new verdicts are then shown to fire: the same
 * devices judged against a reference in which one member never joined, and against a server list
 * with one unread count off by one. A second run does the same with group chats that switch to
 * read diffusion under the churn.
 */
class ChatChurnRunTest {

    private static final long SEED = Long.getLong("synkit.test.seed", 20261130L);

    @Test
    void membersChangeAndReadMarksUnderLoadWithNothingLostOrLeakedAndUnreadCountsAgree() throws Exception {
        churnRun(Map.of(), 6, 0.3, 6, run -> {
            String group = "g:1:"; // user 1's group chat, whatever its run-unique name
            SimDevice creator = run.devices().get(0);
            assertTrue(creator.deliveries().stream().anyMatch(d -> d.change() != null && d.convId().startsWith(group)),
                    "the creator's devices saw membership changes of its group chat");

            // user 1's group as if only user 1 had been in it at creation; every other group as if everyone had
            List<Long> everyone = LongStream.rangeClosed(1, 12).boxed().toList();
            Checker neverJoined = new Checker(conv -> conv.startsWith(group) ? List.of(1L)
                    : conv.startsWith("g:") ? everyone : ConversationId.parse(conv).members());
            CheckResult leaked = neverJoined.check(run.devices(), new RunRecorder(0));
            assertTrue(leaked.foreign() > 0, "entries on devices of users the reference says were never members: " + leaked.evidence());

            Map<Long, List<ConversationSummary>> offByOne = new HashMap<>();
            ConversationSummary first = creator.readState().conversations().entrySet().stream().findFirst()
                    .map(e -> ConversationSummary.newBuilder().setConvId(e.getKey()).setReadUpToConvSeq(e.getValue().readUpToConvSeq())
                            .setUnreadCount((int) e.getValue().unreadCount() + 1).build()).orElseThrow();
            offByOne.put(creator.userId(), List.of(first));
            CheckResult disagree = new Checker(conv -> List.of()).check(List.of(creator), new RunRecorder(0), offByOne);
            assertEquals(1, disagree.unreadMismatches(), "a server list that disagrees with the devices is caught: " + disagree.evidence());
        });
    }

    /**
     * The same with groups read from their logs: the logic node's write-diffusion limit is
     * lowered to 4 members, so the admins' group chats (created with 4) switch to read diffusion
     * at their first add under load (churn grows them up to 7) and lose members again. The
     * checker takes the large groups of the server's list too (without them every user of a
     * switched group is an unread mismatch). The bounded CI form of
     * {@code scenarios/chat-large-groups.yaml} (processes, a primary killed).
     */
    @Test
    void groupsSwitchingToReadDiffusionUnderChurnLoseNothingLeakNothingAndAgreeOnUnreadCounts() throws Exception {
        int writeDiffusionMembersMax = 4;
        churnRun(Map.of("logic.group.write.diffusion.members.max", Integer.toString(writeDiffusionMembersMax)), writeDiffusionMembersMax, 0.5, 7, run -> {
            long switched = run.devices().stream().limit(8).map(SimDevice::deliveries).flatMap(List::stream)
                    .filter(d -> d.seq() == 0 && d.convId().startsWith("g:")).map(Delivery::convId).distinct().count();
            System.out.println("group chats the creators read from their logs: " + switched);
            assertTrue(switched >= 1, "a group chat switched to read diffusion during the run: " + switched);
        });
    }

    /**
     * A run of 4 admins on a lossy 3g link, each with a group chat of {@code groupSize} whose
     * members it changes ({@code churnShare} of its turns, growing it up to {@code growTo}), and
     * 8 members, all marking conversations read; checked to have lost, duplicated, reordered and
     * leaked nothing, with unread counts agreeing; then {@code then} looks at the run.
     */
    private static void churnRun(Map<String, String> logicSettings, int groupSize, double churnShare, int growTo, RunCheck then) throws Exception {
        System.out.println("seed=" + SEED + " (replay with -Dsynkit.test.seed=" + SEED + ")");
        EventLoopGroup proxyLoops = NettyThreads.group("test-chaos", 1);
        try (EmbeddedCluster cluster = EmbeddedCluster.start(2, 1000, logicSettings)) {
            ChaosProxy proxy = new ChaosProxy(proxyLoops, cluster.accessAddress(), LinkProfile.named("3g"), SEED);
            InetSocketAddress lossy = proxy.start();
            try {
                TokenCodec tokens = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);
                LoadSettings settings = new LoadSettings(List.of(
                        new UserGroup("admins", 4, 2, 3, List.of(lossy), groupSize, 0.7, churnShare, 0.3, growTo),
                        new UserGroup("members", 8, 2, 2, List.of(cluster.accessAddress()), 0, 0, 0, 0.3)), 25, 8_000, 60_000, SEED);
                LoadRun run = new LoadRun(settings, DeviceSettings.defaults(), (user, device) -> tokens.issue(user, device, 3600_000L), System.out);

                RunReport report = run.run();

                CheckResult check = report.check();
                assertTrue(report.passed(), report.resultLine() + " foreign=" + check.foreign() + " unread_mismatch=" + check.unreadMismatches() + " "
                        + check.evidence());
                assertTrue(check.acked() > 100, report.resultLine());
                then.accept(run);
            } finally {
                proxy.close();
            }
        } finally {
            proxyLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private interface RunCheck {
        void accept(LoadRun run) throws Exception;
    }
}
