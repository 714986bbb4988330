package io.synkit.store.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ReplicaRoleTest {

    private static final Path SOURCE = Path.of("src/main/java/io/synkit/store/replication/ReplicaRole.java");
    /** A row of the javadoc table: {@code BACKUP    -> CANDIDATE  why}, or {@code STOPPED   -> (none)  why}. */
    private static final Pattern ROW = Pattern.compile("^\\s*\\*\\s+([A-Z]+)\\s+->\\s+([A-Z]+|\\(none\\))\\s");

    @Test
    void transitionTableInTheJavadocListsExactlyTheTransitionsTheCodeAllows() throws IOException {
        Set<String> documented = new HashSet<>();
        Set<ReplicaRole> rowsFrom = EnumSet.noneOf(ReplicaRole.class);
        for (String line : Files.readAllLines(SOURCE)) {
            Matcher row = ROW.matcher(line);
            if (row.find()) {
                rowsFrom.add(ReplicaRole.valueOf(row.group(1)));
                if (!row.group(2).equals("(none)")) {
                    documented.add(row.group(1) + " -> " + row.group(2));
                }
            }
        }
        Set<String> allowed = new HashSet<>();
        for (ReplicaRole from : ReplicaRole.values()) {
            for (ReplicaRole to : ReplicaRole.values()) {
                if (from.canBecome(to)) {
                    allowed.add(from + " -> " + to);
                }
            }
        }
        assertEquals(EnumSet.allOf(ReplicaRole.class), rowsFrom, "every role has a row");
        assertEquals(allowed, documented, "the table and canBecome agree");
        for (ReplicaRole to : ReplicaRole.values()) {
            assertFalse(ReplicaRole.STOPPED.canBecome(to), "only a restart leaves STOPPED, not " + to);
        }
    }
}
