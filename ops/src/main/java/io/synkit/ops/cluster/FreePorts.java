package io.synkit.ops.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** Free loopback ports for a local cluster's consecutive layout. */
public final class FreePorts {

    private FreePorts() {
    }

    /**
     * A base port with {@code count} free loopback ports from it (probed by binding each), below
     * the kernel's ephemeral port range: a node restarted on its port must not find it taken by
     * some process's outgoing connection meanwhile.
     */
    public static int base(int count) throws IOException {
        int low = 10_000;
        int high = ephemeralPortsLow() - count;
        if (high <= low) {
            throw new IOException("no room for " + count + " ports between " + low + " and the ephemeral range at " + ephemeralPortsLow());
        }
        int span = high - low;
        int offset = (int) Math.floorMod(System.nanoTime(), (long) span);
        for (int tried = 0; tried < span; tried += count) {
            int base = low + (offset + tried) % span;
            boolean free = true;
            for (int port = base; port < base + count && free; port++) {
                try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                    socket.setReuseAddress(true);
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IOException("no " + count + " consecutive free ports found between " + low + " and " + high);
    }

    /** First port of the kernel's ephemeral range (Linux {@code ip_local_port_range}; 32768 where unknown). */
    private static int ephemeralPortsLow() {
        try {
            // readString stops early on this procfs file (its reported size is wrong); lines work.
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
