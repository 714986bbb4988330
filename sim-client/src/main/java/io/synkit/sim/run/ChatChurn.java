package io.synkit.sim.run;

import io.synkit.protocol.client.ChangeGroupRequest;
import io.synkit.protocol.client.GroupChangeKind;
import io.synkit.sim.client.ClientException;
import io.synkit.sim.device.SimDevice;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What chat users do besides sending, during a run: creators change their group chats' members
 * (remove a member, or add a user while the group is below the size it may grow to) and devices mark
 * conversations read. Each change is retried with its same client_msg_id until answered, each mark
 * until answered (both are idempotent), and the run waits for all of them before it converges, so
 * every device can end on the same state. The current members are this run's view, updated when a
 * change is answered; the checker judges by what the devices received, not by this view.
 */
final class ChatChurn {

    static final int ATTEMPTS_MAX = 30;
    static final long RETRY_DELAY_MS = 300;

    private final String runId;
    private final PrintStream out;
    private final long firstUserId;
    private final long userCount;
    /** Per group chat: its creator's first device, the size it may grow to, its members now (this run's view). */
    private final Map<SimDevice, String> groupOfCreator = new ConcurrentHashMap<>();
    private final Map<String, Integer> growToOfGroup = new ConcurrentHashMap<>();
    private final Map<String, Set<Long>> membersOfGroup = new ConcurrentHashMap<>();
    /** Groups with a change in flight: one at a time per group, so this run's view stays exact. */
    private final Set<String> changing = ConcurrentHashMap.newKeySet();
    private final List<CompletableFuture<?>> pending = new ArrayList<>();
    private final AtomicLong changeCounter = new AtomicLong();
    private final AtomicLong changesAnswered = new AtomicLong();

    ChatChurn(String runId, PrintStream out, long firstUserId, long userCount) {
        this.runId = runId;
        this.out = out;
        this.firstUserId = firstUserId;
        this.userCount = userCount;
    }

    /** @param growToSize churn adds members while the group is below this size (at least its size at creation) */
    void register(String convId, SimDevice creator, List<Long> members, int growToSize) {
        groupOfCreator.put(creator, convId);
        growToOfGroup.put(convId, Math.max(members.size(), growToSize));
        Set<Long> now = ConcurrentHashMap.newKeySet();
        now.addAll(members);
        membersOfGroup.put(convId, now);
    }

    /** Whether {@code from} created a group chat: only creators change members. */
    boolean isCreator(SimDevice from) {
        return groupOfCreator.containsKey(from);
    }

    /** The creator {@code from} removes a member of its group chat, or adds a user while the group is below the size it may grow to. */
    void changeMembers(SimDevice from, SplittableRandom random) {
        String conv = groupOfCreator.get(from);
        if (!changing.add(conv)) {
            return; // the previous change of this group is still in flight
        }
        Set<Long> members = membersOfGroup.get(conv);
        List<Long> removable = members.stream().filter(user -> user != from.userId()).sorted().toList();
        boolean remove = !removable.isEmpty() && (members.size() >= growToOfGroup.get(conv) || random.nextBoolean());
        long user;
        if (remove) {
            user = removable.get(random.nextInt(removable.size()));
        } else {
            user = firstUserId + random.nextLong(userCount);
            if (members.contains(user)) {
                changing.remove(conv);
                return;
            }
        }
        ChangeGroupRequest request = ChangeGroupRequest.newBuilder().setConvId(conv).setClientMsgId(runId + "-change-" + changeCounter.incrementAndGet())
                .setKind(remove ? GroupChangeKind.MEMBERS_REMOVED : GroupChangeKind.MEMBERS_ADDED).addUserIds(user).build();
        CompletableFuture<?> change = withRetries(from, request, ATTEMPTS_MAX).whenComplete((changed, failure) -> {
            if (failure == null) {
                changesAnswered.incrementAndGet();
                if (remove) {
                    members.remove(user);
                } else {
                    members.add(user);
                }
            } else {
                out.println("warning: a membership change of " + conv + " was not answered: " + failure.getMessage());
            }
            changing.remove(conv);
        });
        synchronized (pending) {
            pending.add(change);
        }
    }

    void markRead(SimDevice device) {
        CompletableFuture<Void> mark = device.markNewestRead(ATTEMPTS_MAX);
        synchronized (pending) {
            pending.add(mark);
        }
    }

    /** Waits until every change and mark was answered (or gave up); false if some still run at the deadline. */
    boolean awaitSettled(long deadlineNs, long nowNs) {
        List<CompletableFuture<?>> all;
        synchronized (pending) {
            all = List.copyOf(pending);
        }
        try {
            CompletableFuture.allOf(all.stream().map(f -> f.exceptionally(failure -> null)).toArray(CompletableFuture[]::new))
                    .get(Math.max(1, deadlineNs - nowNs), TimeUnit.NANOSECONDS);
            if (!all.isEmpty()) {
                out.printf("chat churn: %d membership changes answered, %d changes and marks in all%n", changesAnswered.get(), all.size());
            }
            return true;
        } catch (TimeoutException e) {
            out.println("warning: membership changes or read marks still unanswered when the run had to converge");
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    private static CompletableFuture<Object> withRetries(SimDevice device, ChangeGroupRequest request, int attempts) {
        return device.changeGroup(request).handle((changed, failure) -> {
            if (failure == null) {
                return CompletableFuture.<Object>completedFuture(changed);
            }
            if (attempts <= 1 || !ClientException.of(failure).retryable()) {
                return CompletableFuture.failedFuture(failure);
            }
            return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(RETRY_DELAY_MS, TimeUnit.MILLISECONDS))
                    .thenCompose(ignored -> withRetries(device, request, attempts - 1));
        }).thenCompose(next -> next);
    }
}
