package io.synkit.ops.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.synkit.access.server.AccessConfig;
import io.synkit.logic.server.LogicConfig;
import io.synkit.runtime.Config;
import io.synkit.store.server.StoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The settings pages say exactly what the servers do: every key a server reads is in
 * docs/operations.md §2 with the code's default and range, no other key is, and every setting
 * docs/protocol.md quotes to client authors has the code's default. (Issue 15: protocol.md and
 * operations.md gave different logic timeouts and store retries.)
 */
class ConfigDocsTest {

    private static final Path DOCS = Path.of("..", "docs");
    /** A table cell: anything but an unescaped {@code |} (a cell may hold {@code \\|}). */
    private static final String CELL = "((?:[^|\\\\]|\\\\.)*)";
    /** A settings row of operations.md: | `key` | default | range | meaning |. */
    private static final Pattern OPERATIONS_ROW = Pattern.compile("^\\| `((?:store|logic|access)\\.[a-z0-9.]+)` \\| " + CELL + " \\| " + CELL + " \\|.*\\|$");
    /** A row of protocol.md §8 quoting a key: the key first or last, the default as the first number of its cell. */
    private static final Pattern PROTOCOL_KEY_FIRST = Pattern.compile("^\\| `((?:store|logic|access)\\.[a-z0-9.]+)` \\| ([^|]*) \\|.*\\|$");
    private static final Pattern PROTOCOL_KEY_LAST = Pattern.compile("^\\| [^|]* \\| ([^|]*) \\| `((?:store|logic|access)\\.[a-z0-9.]+)` \\|$");
    private static final Pattern RANGE = Pattern.compile("^(-?[0-9]+)-(2\\^63-1|[0-9]+)\\b.*");
    private static final Pattern NUMBER_IN_PARENTHESES = Pattern.compile("\\(([0-9]+)\\)");
    private static final Pattern LEADING_NUMBER = Pattern.compile("^(-?[0-9][0-9 ]*)");

    @Test
    void operationsPageListsEveryKeyWithTheCodesDefaultAndRange() throws IOException {
        Map<String, Config.KeySpec> code = codeKeys();
        Map<String, String[]> documented = new LinkedHashMap<>();
        for (String line : Files.readAllLines(DOCS.resolve("operations.md"))) {
            Matcher row = OPERATIONS_ROW.matcher(line);
            if (row.matches()) {
                documented.put(row.group(1), new String[] {row.group(2).trim(), row.group(3).trim()});
            }
        }

        TreeSet<String> undocumented = new TreeSet<>(code.keySet());
        undocumented.removeAll(documented.keySet());
        TreeSet<String> unread = new TreeSet<>(documented.keySet());
        unread.removeAll(code.keySet());
        assertEquals(List.of(), List.copyOf(undocumented), "keys the servers read that operations.md does not list");
        assertEquals(List.of(), List.copyOf(unread), "keys operations.md lists that no server reads");
        List<String> wrong = new ArrayList<>();
        documented.forEach((key, cells) -> checkDefaultAndRange(code.get(key), cells[0], cells[1], wrong::add));
        assertTrue(wrong.isEmpty(), "operations.md disagrees with the code:\n" + String.join("\n", wrong));
    }

    @Test
    void protocolPageQuotesTheCodesDefaults() throws IOException {
        Map<String, Config.KeySpec> code = codeKeys();
        List<String> wrong = new ArrayList<>();
        int quoted = 0;
        for (String line : Files.readAllLines(DOCS.resolve("protocol.md"))) {
            Matcher first = PROTOCOL_KEY_FIRST.matcher(line);
            Matcher last = PROTOCOL_KEY_LAST.matcher(line);
            String key = first.matches() ? first.group(1) : last.matches() ? last.group(2) : null;
            if (key == null) {
                continue;
            }
            quoted++;
            Config.KeySpec spec = code.get(key);
            if (spec == null) {
                wrong.add(key + ": no server reads this key");
                continue;
            }
            Matcher number = LEADING_NUMBER.matcher(first.matches() ? first.group(2).trim() : last.group(1).trim());
            String documentedDefault = number.find() ? number.group(1).replace(" ", "") : "(no number)";
            if (!documentedDefault.equals(spec.defaultValue())) {
                wrong.add(key + ": protocol.md says " + documentedDefault + ", the code's default is " + spec.defaultValue());
            }
        }
        assertTrue(quoted >= 10, "protocol.md §8 quotes settings; found " + quoted);
        assertTrue(wrong.isEmpty(), "protocol.md disagrees with the code:\n" + String.join("\n", wrong));
    }

    private static void checkDefaultAndRange(Config.KeySpec spec, String defaultCell, String rangeCell, Consumer<String> wrong) {
        String key = spec.key();
        if (spec.min() != null) {
            Matcher range = RANGE.matcher(rangeCell);
            String expected = spec.min() + "-" + (spec.max() == Long.MAX_VALUE ? "2^63-1" : spec.max());
            if (!range.matches() || !(range.group(1) + "-" + range.group(2)).equals(expected)) {
                wrong.accept(key + ": range '" + rangeCell + "', the code's is " + expected);
            }
            Matcher inParentheses = NUMBER_IN_PARENTHESES.matcher(defaultCell);
            String documented = defaultCell.matches("-?[0-9]+") ? defaultCell : inParentheses.find() ? inParentheses.group(1) : "(no number)";
            if (!documented.equals(spec.defaultValue())) {
                wrong.accept(key + ": default '" + defaultCell + "', the code's is " + spec.defaultValue());
            }
        } else if (spec.defaultValue() == null) {
            if (!defaultCell.equals("required")) {
                wrong.accept(key + ": default '" + defaultCell + "', but the code requires it");
            }
        } else if (spec.defaultValue().isEmpty()) {
            if (!defaultCell.startsWith("empty")) {
                wrong.accept(key + ": default '" + defaultCell + "', the code's is empty");
            }
        } else if (defaultCell.matches("`[^`]*`") && !defaultCell.matches("`(store|logic|access)\\..*`")) {
            // A literal default (a key name there means "that key's value").
            if (!defaultCell.equals("`" + spec.defaultValue() + "`")) {
                wrong.accept(key + ": default " + defaultCell + ", the code's is '" + spec.defaultValue() + "'");
            }
        } else if (spec.defaultValue().equals("true") || spec.defaultValue().equals("false")) {
            if (!defaultCell.equals(spec.defaultValue())) {
                wrong.accept(key + ": default '" + defaultCell + "', the code's is " + spec.defaultValue());
            }
        }
    }

    /** Every key the three servers read at start, with a configuration that reaches every read. */
    private static Map<String, Config.KeySpec> codeKeys() {
        Map<String, Config.KeySpec> keys = new LinkedHashMap<>();
        Config store = Config.of(Map.of("store.data.dir", "/nonexistent/synkit-docs-check"));
        StoreConfig.from(store);
        Config logic = Config.of(Map.of("logic.store.sets", "s1=127.0.0.1:7300"));
        LogicConfig.from(logic);
        Config access = Config.of(Map.of("access.logic.nodes", "127.0.0.1:7200"));
        AccessConfig.from(access);
        for (Config config : List.of(store, logic, access)) {
            config.keySpecs().forEach(spec -> keys.put(spec.key(), spec));
        }
        return keys;
    }
}
