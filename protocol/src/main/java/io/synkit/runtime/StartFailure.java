package io.synkit.runtime;

import java.util.function.IntFunction;

/**
 * How a server process ends when it cannot start: it exits with {@link #EXIT_CODE} (config errors
 * exit 2 before this), never lingers half-started. A port it cannot bind is the common case on a
 * shared machine, so it is one line naming the port and its key; anything else is unexpected and
 * prints its stack trace.
 */
public final class StartFailure {

    public static final int EXIT_CODE = 1;

    private StartFailure() {
    }

    /**
     * Prints why {@code role} did not start to stderr and exits.
     *
     * @param portKey the configuration key of a listening port, e.g. 7300 gives {@code store.port}
     */
    public static void exit(String role, Throwable failure, IntFunction<String> portKey) {
        ListenException listen = listenFailure(failure);
        if (listen != null) {
            System.err.println(role + ": " + listen.describe(portKey.apply(listen.address().getPort())));
        } else {
            System.err.println(role + ": start failed: " + failure);
            failure.printStackTrace();
        }
        System.exit(EXIT_CODE);
    }

    private static ListenException listenFailure(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ListenException listen) {
                return listen;
            }
        }
        return null;
    }
}
