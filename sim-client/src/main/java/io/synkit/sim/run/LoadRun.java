package io.synkit.sim.run;

import io.netty.channel.EventLoopGroup;
import io.synkit.protocol.client.ConversationSummary;
import io.synkit.protocol.client.GroupCreated;
import io.synkit.protocol.conv.ConversationId;
import io.synkit.runtime.Clock;
import io.synkit.runtime.NettyThreads;
import io.synkit.sim.check.Checker;
import io.synkit.sim.device.DeviceSettings;
import io.synkit.sim.device.OperationHistory;
import io.synkit.sim.device.RunRecorder;
import io.synkit.sim.device.SendRecord;
import io.synkit.sim.device.SimDevice;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;

/**
 * Drives simulated devices against a running cluster and judges the result:
 * <ol>
 *   <li>connect every device (bounded wait);</li>
 *   <li>send at a constant rate for the duration: message i is due at start + i / rate, from a
 *       random device to a random other user, whatever the system's speed (open loop);</li>
 *   <li>run fault actions at their scheduled offsets, each on its own thread;</li>
 *   <li>wait until every fault action has finished, every send is acked (or refused) and every
 *       device syncs to its head, all bounded by the converge timeout;</li>
 *   <li>check every device's view and print the RESULT line.</li>
 * </ol>
 * Everything random derives from the seed, printed at the start so a run can be replayed.
 */
public final class LoadRun {

    private final LoadSettings settings;
    private final DeviceSettings deviceSettings;
    private final BiFunction<Long, String, String> tokens;
    private final PrintStream out;
    private final List<Map.Entry<Long, Runnable>> faults = new ArrayList<>();
    private final List<Thread> faultThreads = new ArrayList<>();
    private final Clock clock;
    private final RunRecorder recorder;
    private final List<SimDevice> devices = new ArrayList<>();
    private double[] cumulativeWeights;
    private long firstUserId = 1;
    private double[] chatGroupShareByDevice;
    private double[] churnShareByDevice;
    private double[] readMarkShareByDevice;
    private ChatChurn churn;
    /** First device of each user who creates a group chat, and the chat's size, in user order. */
    private final List<Map.Entry<SimDevice, UserGroup>> chatGroupCreators = new ArrayList<>();
    /** Group chats of this run: members by conversation id, and conversation ids by member. */
    private final Map<String, List<Long>> chatGroupMembers = new HashMap<>();
    private final Map<Long, List<String>> chatGroupsOfUser = new HashMap<>();
    private RunObserver observer = RunObserver.NONE;

    /** A run on the system clock. */
    public LoadRun(LoadSettings settings, DeviceSettings deviceSettings, BiFunction<Long, String, String> tokens, PrintStream out) {
        this(settings, deviceSettings, tokens, out, Clock.SYSTEM);
    }

    /**
     * @param tokens issues a token for (user id, device id)
     * @param out where progress and the result go
     * @param clock the one clock of the run: its pacing, deadlines and every time its devices record
     */
    public LoadRun(LoadSettings settings, DeviceSettings deviceSettings, BiFunction<Long, String, String> tokens, PrintStream out, Clock clock) {
        this.settings = settings;
        this.deviceSettings = deviceSettings;
        this.tokens = tokens;
        this.out = out;
        this.clock = clock;
        this.recorder = new RunRecorder(clock.nanoTime());
    }

    /** Every request the devices made (each send attempt, each sync), complete once {@link #run()} returned. */
    public OperationHistory history() {
        return recorder.history();
    }

    /**
     * Runs {@code action} (off the devices' threads) at {@code offsetMs} after sending starts. The
     * run is judged only once every action has returned: a step still running (a restart waiting
     * for its node) must neither miss the verdict nor act on a cluster its caller already took down.
     */
    public LoadRun at(long offsetMs, Runnable action) {
        faults.add(Map.entry(offsetMs, action));
        return this;
    }

    /**
     * Numbers this run's users from {@code firstUserId} (default 1), so several sim-client
     * processes can drive one cluster with disjoint users, each checking its own.
     */
    public LoadRun startingAtUser(long firstUserId) {
        if (firstUserId < 1) {
            throw new IllegalArgumentException("firstUserId=" + firstUserId + " must be >= 1");
        }
        this.firstUserId = firstUserId;
        return this;
    }

    /** Receives per-second samples and fault markers (for reports). */
    public LoadRun observedBy(RunObserver observer) {
        this.observer = observer;
        return this;
    }

    /** Runs {@code action} at {@code offsetMs} and marks it on the timeline with {@code label}. */
    public LoadRun at(long offsetMs, String label, Runnable action) {
        return at(offsetMs, () -> {
            observer.fault(offsetMs, label);
            action.run();
        });
    }

    public List<SimDevice> devices() {
        return devices;
    }

    public RunReport run() throws InterruptedException {
        out.printf(Locale.ROOT, "run seed=%d users=%d devices=%d rate=%.1f/s duration_ms=%d groups=%s%n", settings.seed(), settings.users(),
                settings.deviceCount(), settings.messagesPerSecond(), settings.durationMs(),
                settings.groups().stream().map(group -> group.name() + "x" + group.users() + "x" + group.devicesPerUser()).toList());
        SplittableRandom random = new SplittableRandom(settings.seed());
        EventLoopGroup loops = NettyThreads.group("sim-device", Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
        long startMs = clock.nowMs();
        // Not from the seed: replaying a seed against the same cluster must not reuse client_msg_ids.
        String runId = Long.toString(new java.security.SecureRandom().nextLong() & Long.MAX_VALUE, 36);
        try {
            long user = firstUserId - 1;
            List<Double> weights = new ArrayList<>();
            List<Double> groupShares = new ArrayList<>();
            List<Double> churnShares = new ArrayList<>();
            List<Double> readMarkShares = new ArrayList<>();
            churn = new ChatChurn(runId, out, firstUserId, settings.users());
            for (UserGroup group : settings.groups()) {
                for (int u = 0; u < group.users(); u++) {
                    long userId = ++user;
                    for (int d = 0; d < group.devicesPerUser(); d++) {
                        String deviceId = "u" + userId + "-d" + d;
                        SimDevice device = new SimDevice(userId, deviceId, () -> tokens.apply(userId, deviceId), loops.next(), group.access(),
                                deviceSettings, recorder, random.nextLong(), runId, clock);
                        devices.add(device);
                        if (d == 0 && group.chatGroupSize() >= 2) {
                            chatGroupCreators.add(Map.entry(device, group));
                        }
                        weights.add(group.sendWeight());
                        groupShares.add(group.chatGroupSendShare());
                        churnShares.add(group.chatGroupChurnShare());
                        readMarkShares.add(group.readMarkShare());
                    }
                }
            }
            chatGroupShareByDevice = groupShares.stream().mapToDouble(Double::doubleValue).toArray();
            churnShareByDevice = churnShares.stream().mapToDouble(Double::doubleValue).toArray();
            readMarkShareByDevice = readMarkShares.stream().mapToDouble(Double::doubleValue).toArray();
            cumulativeWeights = new double[weights.size()];
            double total = 0;
            for (int i = 0; i < weights.size(); i++) {
                total += weights.get(i);
                cumulativeWeights[i] = total;
            }
            devices.forEach(device -> device.setOnline(true));
            awaitAllReady();
            createChatGroups(random, runId);
            sendPhase(random);
            long settleDeadlineNs = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.convergeTimeoutMs());
            boolean converged = awaitFaults(settleDeadlineNs) && churn.awaitSettled(settleDeadlineNs, clock.nanoTime()) && converge(settleDeadlineNs);
            Map<Long, List<ConversationSummary>> lists = conversationLists(settleDeadlineNs);
            devices.forEach(device -> device.setOnline(false));
            Checker checker = new Checker(conv -> chatGroupMembers.containsKey(conv) ? chatGroupMembers.get(conv) : ConversationId.parse(conv).members());
            RunReport report = new RunReport(devices.size(), checker.check(devices, recorder, lists), recorder.ackLatencyUs(), recorder.deliveryLatencyUs(),
                    recorder.syncLatencyUs(), recorder.sendCounts(), recorder.syncCounts(), converged, clock.nowMs() - startMs);
            report.printDetails(out);
            out.println(report.resultLine());
            return report;
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private void awaitAllReady() throws InterruptedException {
        long deadlineNs = clock.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (clock.nanoTime() < deadlineNs) {
            long ready = devices.stream().map(SimDevice::isReady).map(CompletableFuture::join).filter(Boolean::booleanValue).count();
            if (ready == devices.size()) {
                return;
            }
            Thread.sleep(20); // polling connection state of many devices; each connects on its own schedule
        }
        out.println("warning: not every device connected within 30 s; starting anyway (they keep retrying)");
    }

    private void sendPhase(SplittableRandom random) throws InterruptedException {
        long startNs = clock.nanoTime();
        long endNs = startNs + TimeUnit.MILLISECONDS.toNanos(settings.durationMs());
        double intervalNs = 1e9 / settings.messagesPerSecond();
        long sentCount = 0;
        long nextProgressNs = startNs + TimeUnit.SECONDS.toNanos(1);
        List<Map.Entry<Long, Runnable>> faults = new ArrayList<>(this.faults);
        faults.sort(Map.Entry.comparingByKey()); // stable: faults at one offset run in the order given
        int faultIndex = 0;
        while (true) {
            long nowNs = clock.nanoTime();
            while (faultIndex < faults.size() && nowNs - startNs >= TimeUnit.MILLISECONDS.toNanos(faults.get(faultIndex).getKey())) {
                Runnable action = faults.get(faultIndex++).getValue();
                Thread fault = new Thread(action, "sim-fault");
                faultThreads.add(fault);
                fault.start();
            }
            long dueNs = startNs + (long) (sentCount * intervalNs);
            if (dueNs >= endNs && faultIndex >= faults.size()) {
                break;
            }
            if (dueNs < endNs && dueNs <= nowNs) {
                sendOne(random, dueNs);
                sentCount++;
                continue;
            }
            if (nowNs >= nextProgressNs) {
                progress(nowNs - startNs);
                nextProgressNs += TimeUnit.SECONDS.toNanos(1);
            }
            long wakeNs = Math.min(dueNs < endNs ? dueNs : Long.MAX_VALUE, nextProgressNs);
            LockSupport.parkNanos(Math.max(0, Math.min(wakeNs - nowNs, TimeUnit.MILLISECONDS.toNanos(1))));
        }
    }

    /**
     * Each user of a group-heavy user group creates one group chat of its group's size: itself and
     * distinct users drawn from the whole run, through its first device, before sending starts
     * (retried: creation is idempotent).
     */
    private void createChatGroups(SplittableRandom random, String runId) {
        List<CompletableFuture<GroupCreated>> creations = new ArrayList<>();
        Map<String, SimDevice> creatorOf = new HashMap<>();
        Map<String, Integer> growToOf = new HashMap<>();
        for (Map.Entry<SimDevice, UserGroup> creator : chatGroupCreators) {
            creatorOf.put(ConversationId.group(creator.getKey().userId(), "r" + runId).value(), creator.getKey());
            TreeSet<Long> members = new TreeSet<>(List.of(creator.getKey().userId()));
            growToOf.put(ConversationId.group(creator.getKey().userId(), "r" + runId).value(), creator.getValue().chatGroupGrowTo());
            int size = (int) Math.min(creator.getValue().chatGroupSize(), settings.users());
            while (members.size() < size) {
                members.add(firstUserId + random.nextLong(settings.users()));
            }
            creations.add(createWithRetries(creator.getKey(), "r" + runId, List.copyOf(members), 5));
        }
        for (CompletableFuture<GroupCreated> creation : creations) {
            GroupCreated created;
            try {
                created = creation.join();
            } catch (CompletionException e) {
                out.println("warning: a group chat could not be created: " + e.getCause().getMessage());
                continue;
            }
            chatGroupMembers.put(created.getConvId(), created.getMemberUserIdsList());
            churn.register(created.getConvId(), creatorOf.get(created.getConvId()), created.getMemberUserIdsList(), growToOf.get(created.getConvId()));
            for (long member : created.getMemberUserIdsList()) {
                chatGroupsOfUser.computeIfAbsent(member, ignored -> new ArrayList<>()).add(created.getConvId());
            }
        }
        if (!creations.isEmpty()) {
            out.printf(Locale.ROOT, "group chats: %d created%n", chatGroupMembers.size());
        }
    }

    private static CompletableFuture<GroupCreated> createWithRetries(SimDevice device, String name, List<Long> members, int attempts) {
        return device.createGroup(name, members).handle((created, failure) -> {
            if (failure == null) {
                return CompletableFuture.completedFuture(created);
            }
            if (attempts <= 1) {
                return CompletableFuture.<GroupCreated>failedFuture(failure);
            }
            return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS))
                    .thenCompose(ignored -> createWithRetries(device, name, members, attempts - 1));
        }).thenCompose(next -> next);
    }

    private void sendOne(SplittableRandom random, long intendedNanos) {
        int senderIndex = pickSender(random);
        SimDevice from = devices.get(senderIndex);
        if (readMarkShareByDevice[senderIndex] > 0 && random.nextDouble() < readMarkShareByDevice[senderIndex]) {
            churn.markRead(from);
        }
        if (churnShareByDevice[senderIndex] > 0 && churn.isCreator(from) && random.nextDouble() < churnShareByDevice[senderIndex]) {
            churn.changeMembers(from, random);
            return;
        }
        double groupShare = chatGroupShareByDevice[senderIndex];
        if (groupShare > 0 && random.nextDouble() < groupShare) {
            List<String> groups = chatGroupsOfUser.get(from.userId());
            if (groups != null) {
                from.send(groups.get(random.nextInt(groups.size())), intendedNanos);
                return;
            }
        }
        long to = firstUserId + random.nextLong(settings.users() - 1);
        if (to >= from.userId()) {
            to++;
        }
        from.send(ConversationId.direct(from.userId(), to).value(), intendedNanos);
    }

    /**
     * Each user's conversation list as the server gives it, from the user's first device that
     * answers, for the checker to compare with what the devices derived; a user none of whose
     * devices answers before the deadline is left out (their devices are still compared).
     */
    private Map<Long, List<ConversationSummary>> conversationLists(long deadlineNs) {
        Map<Long, List<ConversationSummary>> lists = new HashMap<>();
        for (SimDevice device : devices) {
            if (lists.containsKey(device.userId()) || clock.nanoTime() > deadlineNs) {
                continue;
            }
            try {
                lists.put(device.userId(), device.conversationList().get(Math.max(1, deadlineNs - clock.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (Exception e) {
                // offline or cut off: another device of the user may answer
            }
        }
        return lists;
    }

    /** A device at random, in proportion to its group's send weight. */
    private int pickSender(SplittableRandom random) {
        double point = random.nextDouble() * cumulativeWeights[cumulativeWeights.length - 1];
        int low = 0;
        int high = cumulativeWeights.length - 1;
        while (low < high) { // the first device whose cumulative weight exceeds the point (never a weight-0 device)
            int middle = (low + high) >>> 1;
            if (cumulativeWeights[middle] > point) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        return low;
    }

    private void progress(long elapsedNs) {
        long sent = 0;
        long acked = 0;
        for (SendRecord send : recorder.sends()) {
            sent++;
            acked += send.acked() ? 1 : 0;
        }
        out.printf(Locale.ROOT, "progress t=%ds sent=%d acked=%d delivered=%d%n", TimeUnit.NANOSECONDS.toSeconds(elapsedNs), sent, acked,
                recorder.deliveryCount());
        observer.sample(TimeUnit.NANOSECONDS.toMillis(elapsedNs), sent, acked, recorder.deliveryCount());
    }

    /** Waits until every fault action has returned; false (with a warning) if one still runs at the deadline. */
    private boolean awaitFaults(long deadlineNs) throws InterruptedException {
        for (Thread fault : faultThreads) {
            fault.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - clock.nanoTime())));
            if (fault.isAlive()) {
                out.println("warning: a fault action was still running " + settings.convergeTimeoutMs() + " ms after sending stopped");
                return false;
            }
        }
        return true;
    }

    /**
     * Waits for every send to settle, then syncs every device until each has once reached its
     * head (a sync that brings nothing new). No message is sent after the sends settle, so a
     * device that reached its head stays converged even if its (still lossy) link drops later;
     * one that is offline is retried until the bound.
     */
    private boolean converge(long deadlineNs) throws InterruptedException {
        while (clock.nanoTime() < deadlineNs) {
            int unacked = devices.stream().map(SimDevice::unackedSends).mapToInt(CompletableFuture::join).sum();
            if (unacked == 0) {
                break;
            }
            Thread.sleep(50); // sends settle at the system's pace; bounded by the converge timeout
        }
        List<SimDevice> behind = new ArrayList<>(devices);
        while (clock.nanoTime() < deadlineNs) {
            List<CompletableFuture<Integer>> rounds = behind.stream().map(SimDevice::syncToHead).toList();
            List<SimDevice> stillBehind = new ArrayList<>();
            for (int i = 0; i < rounds.size(); i++) {
                try {
                    if (rounds.get(i).join() != 0) {
                        stillBehind.add(behind.get(i));
                    }
                } catch (RuntimeException e) {
                    stillBehind.add(behind.get(i)); // offline or sync failed: it must catch up in a later round
                }
            }
            behind = stillBehind;
            if (behind.isEmpty()) {
                return true;
            }
            Thread.sleep(50); // devices reconnect and sync on their own schedule; bounded by the deadline
        }
        out.println("warning: " + behind.size() + " devices had not reached their head, e.g. " + behind.get(0));
        out.println("warning: devices did not converge within " + settings.convergeTimeoutMs() + " ms");
        return false;
    }
}
