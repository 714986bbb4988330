package io.synkit.sim.device;

/**
 * How one kind of operation ended across a run: invoked, ok, failed (a definite error answer),
 * unknown (timed out or the link dropped: it may or may not have happened).
 */
public record OperationCounts(long invoked, long ok, long failed, long unknown) {

    public static final OperationCounts NONE = new OperationCounts(0, 0, 0, 0);
}
