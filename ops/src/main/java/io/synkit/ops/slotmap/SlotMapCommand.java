package io.synkit.ops.slotmap;

import io.synkit.ops.cluster.SlotMapAdmin;
import io.synkit.protocol.rpc.InternalTls;
import io.synkit.protocol.rpc.RpcException;
import io.synkit.protocol.slot.SlotMap;
import io.synkit.runtime.Clock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ops slotmap init}: stores the first slot map in a meta SET given by address (a deployment
 * that is not an {@code ops cluster}, e.g. the Kubernetes manifests' init Job). Idempotent: the
 * same map stored before counts as done; another map is refused.
 */
@Command(name = "slotmap", mixinStandardHelpOptions = true, description = "The slot map of a meta SET given by address.",
        subcommands = {SlotMapCommand.Init.class})
public final class SlotMapCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Store version 1 of the slot map (slots spread evenly over the SETs), waiting for the meta SET's primary. Exit 0 stored or"
                    + " already stored, 1 another map is stored or no primary answered, 2 bad input.")
    static final class Init implements Callable<Integer> {
        /** A one-shot command: its certificate does not change while it runs. */
        private static final long TLS_RELOAD_CHECK_MS = 3_600_000;

        @Option(names = "--meta", required = true, split = ",", description = "Meta SET replicas, host:port,...")
        List<String> meta;

        @Option(names = "--sets", required = true, description = "SETs and their replicas: s1=host:port|host:port|host:port,s2=...")
        String sets;

        @Option(names = "--slots", defaultValue = "" + SlotMap.SLOT_COUNT_DEFAULT, description = "Slot count (default ${DEFAULT-VALUE})")
        int slots;

        @Option(names = "--timeout-s", defaultValue = "300", description = "How long to wait for the meta SET (default ${DEFAULT-VALUE})")
        long timeoutS;

        @Option(names = "--tls-cert", description = "PEM certificate ops presents (a meta SET with internal mutual TLS)")
        Path tlsCert;

        @Option(names = "--tls-key", description = "Its PKCS#8 PEM key")
        Path tlsKey;

        @Option(names = "--tls-ca", description = "The internal CA, PEM")
        Path tlsCa;

        @Override
        public Integer call() throws Exception {
            SlotMap map;
            InternalTls tls;
            int tlsGiven = (tlsCert == null ? 0 : 1) + (tlsKey == null ? 0 : 1) + (tlsCa == null ? 0 : 1);
            if (tlsGiven != 0 && tlsGiven != 3) {
                System.err.println("slotmap init: --tls-cert, --tls-key and --tls-ca go together");
                return 2;
            }
            try {
                map = SlotMap.parse(1, slots, sets);
                tls = tlsGiven == 0 ? null : new InternalTls(tlsCert, tlsKey, tlsCa, Clock.SYSTEM, TLS_RELOAD_CHECK_MS);
            } catch (IllegalArgumentException | IOException e) {
                System.err.println("slotmap init: " + e.getMessage());
                return 2;
            }
            try (SlotMapAdmin admin = new SlotMapAdmin(meta, tls)) {
                SlotMap stored = admin.put(0, map, timeoutS * 1000);
                System.out.println("slot map version " + stored.version() + ", " + stored.slotCount() + " slots");
                stored.describe().forEach(System.out::println);
                return 0;
            } catch (RpcException e) {
                System.err.println("slotmap init failed: " + e.getMessage());
                return 1;
            }
        }
    }
}
