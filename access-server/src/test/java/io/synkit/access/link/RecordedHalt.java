package io.synkit.access.link;

import io.synkit.access.health.Halt;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A halt that only records why the process would have ended. */
public final class RecordedHalt implements Halt {

    public final List<String> reasons = new CopyOnWriteArrayList<>();

    @Override
    public void halt(String reason) {
        reasons.add(reason);
    }
}
