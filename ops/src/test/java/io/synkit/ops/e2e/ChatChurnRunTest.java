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
 * with one unread count off by one.
 */
class ChatChurnRunTest {

    private static final long SEED = Long.getLong("synkit.test.seed", 20261130L);

    @Test
    void membersChangeAndReadMarksUnderLoadWithNothingLostOrLeakedAndUnreadCountsAgree() throws Exception {
        System.out.println("seed=" + SEED + " (replay with -Dsynkit.test.seed=" + SEED + ")");
        EventLoopGroup proxyLoops = NettyThreads.group("test-chaos", 1);
        try (EmbeddedCluster cluster = EmbeddedCluster.start(2, 1000)) {
            ChaosProxy proxy = new ChaosProxy(proxyLoops, cluster.accessAddress(), LinkProfile.named("3g"), SEED);
            InetSocketAddress lossy = proxy.start();
            try {
                TokenCodec tokens = new TokenCodec(AuthKeys.dev(), Clock.SYSTEM);
                LoadSettings settings = new LoadSettings(List.of(
                        new UserGroup("admins", 4, 2, 3, List.of(lossy), 6, 0.7, 0.3, 0.3),
                        new UserGroup("members", 8, 2, 2, List.of(cluster.accessAddress()), 0, 0, 0, 0.3)), 25, 8_000, 60_000, SEED);
                LoadRun run = new LoadRun(settings, DeviceSettings.defaults(), (user, device) -> tokens.issue(user, device, 3600_000L), System.out);

                RunReport report = run.run();

                CheckResult check = report.check();
                assertTrue(report.passed(), report.resultLine() + " foreign=" + check.foreign() + " unread_mismatch=" + check.unreadMismatches() + " "
                        + check.evidence());
                assertTrue(check.acked() > 100, report.resultLine());
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
            } finally {
                proxy.close();
            }
        } finally {
            proxyLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
