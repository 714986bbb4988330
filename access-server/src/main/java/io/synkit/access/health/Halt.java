package io.synkit.access.health;

/**
 * Ends the process when it can no longer be trusted to serve, so its supervisor (Kubernetes,
 * systemd, {@code ops cluster}) starts a fresh one. After an {@link OutOfMemoryError} any thread,
 * an event loop included, may have died or left state half changed, and a node that stays up in
 * that state answers nothing while it still looks alive; the same holds for a dead event loop.
 * {@link #PROCESS} halts at once (no shutdown hooks: a drain would need the broken loops); tests
 * inject a recorder instead.
 */
@FunctionalInterface
public interface Halt {

    /** Exit status of a halt: the one {@code -XX:+ExitOnOutOfMemoryError} uses. */
    int EXIT_STATUS = 3;

    void halt(String reason);

    /** Halts when {@code failure} is, or was caused by, a {@link VirtualMachineError}; otherwise returns. */
    default void ifFatal(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof VirtualMachineError) {
                halt(cause.getClass().getName() + ": " + cause.getMessage());
                return;
            }
        }
    }

    /** For threads the node does not catch for: a fatal error halts, anything else is printed. */
    default Thread.UncaughtExceptionHandler uncaughtHandler() {
        return (thread, failure) -> {
            ifFatal(failure);
            System.err.println("uncaught exception thread=" + thread.getName() + " " + failure);
        };
    }

    Halt PROCESS = reason -> {
        try {
            System.err.println("access node halting status=" + EXIT_STATUS + " reason=\"" + reason + "\"");
            System.err.flush();
        } finally {
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    };
}
