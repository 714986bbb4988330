package io.synkit.runtime;

import java.net.InetSocketAddress;

/**
 * A listening port could not be bound (taken by another process, or an address this host does
 * not have). It names the address: the JDK's {@link java.net.BindException} says only "Address
 * already in use", which leaves an operator guessing which of a server's ports it was.
 */
public final class ListenException extends RuntimeException {

    private final InetSocketAddress address;

    public ListenException(InetSocketAddress address, Throwable cause) {
        super("cannot listen on " + address.getHostString() + ":" + address.getPort() + ": " + cause.getMessage(), cause);
        this.address = address;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** The message with the configuration key of the port inserted, e.g. {@code cannot listen on 127.0.0.1:7300 (store.port): Address already in use}. */
    public String describe(String portKey) {
        return "cannot listen on " + address.getHostString() + ":" + address.getPort() + " (" + portKey + "): " + getCause().getMessage();
    }
}
