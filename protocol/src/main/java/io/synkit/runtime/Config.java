package io.synkit.runtime;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * A process's configuration: defaults, overridden by the config file, overridden by environment
 * variables, overridden by command-line flags. Key {@code access.port} is read from
 * {@code access.port=...} in the file, {@code SYNKIT_ACCESS_PORT} in the environment and
 * {@code --access.port=...} on the command line. Every typed read validates and fails with a
 * {@link ConfigException} naming the key and value; {@link #checkNoUnknownKeys()} rejects keys
 * nobody read (a typo must not silently fall back to a default).
 */
public final class Config {

    public static final String ENV_PREFIX = "SYNKIT_";

    private final Map<String, String> values;
    private final Map<String, String> sources;
    private final Set<String> read = new HashSet<>();
    private final Map<String, KeySpec> specs = new LinkedHashMap<>();

    /**
     * What a process asked of one key: its default (null: required) and, for numbers, the range.
     * The documentation's settings tables are checked against these (ConfigDocsTest in ops).
     */
    public record KeySpec(String key, String defaultValue, Long min, Long max) {
    }

    private Config(Map<String, String> values, Map<String, String> sources) {
        this.values = values;
        this.sources = sources;
    }

    /**
     * Loads configuration from {@code --config=<file>} (if given), the environment and flags.
     *
     * @param args command-line arguments, each {@code --key=value}
     */
    public static Config load(String[] args, Map<String, String> env) {
        Map<String, String> flags = parseFlags(args);
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        String file = flags.remove("config");
        if (file == null) {
            file = env.get(ENV_PREFIX + "CONFIG");
        }
        if (file != null) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(Path.of(file))) {
                properties.load(reader);
            } catch (IOException e) {
                throw new ConfigException("config: cannot read config file '" + file + "': " + e.getMessage());
            }
            for (String key : properties.stringPropertyNames()) {
                values.put(key, properties.getProperty(key).trim());
                sources.put(key, "file " + file);
            }
        }
        return withOverrides(values, sources, env, flags);
    }

    /** Configuration from explicit values only (embedded servers, tests). */
    public static Config of(Map<String, String> values) {
        Map<String, String> sources = new LinkedHashMap<>();
        values.keySet().forEach(key -> sources.put(key, "code"));
        return new Config(new LinkedHashMap<>(values), sources);
    }

    private static Config withOverrides(Map<String, String> values, Map<String, String> sources, Map<String, String> env, Map<String, String> flags) {
        for (Map.Entry<String, String> entry : env.entrySet()) {
            if (entry.getKey().startsWith(ENV_PREFIX) && !entry.getKey().equals(ENV_PREFIX + "CONFIG")) {
                String key = entry.getKey().substring(ENV_PREFIX.length()).toLowerCase().replace('_', '.');
                values.put(key, entry.getValue().trim());
                sources.put(key, "env " + entry.getKey());
            }
        }
        for (Map.Entry<String, String> entry : flags.entrySet()) {
            values.put(entry.getKey(), entry.getValue());
            sources.put(entry.getKey(), "flag --" + entry.getKey());
        }
        return new Config(values, sources);
    }

    private static Map<String, String> parseFlags(String[] args) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || arg.indexOf('=') < 3) {
                throw new ConfigException("config: argument '" + arg + "' must be --key=value");
            }
            int eq = arg.indexOf('=');
            flags.put(arg.substring(2, eq), arg.substring(eq + 1).trim());
        }
        return flags;
    }

    public String string(String key, String defaultValue) {
        read.add(key);
        specs.putIfAbsent(key, new KeySpec(key, defaultValue, null, null));
        return values.getOrDefault(key, defaultValue);
    }

    /** A comma-separated list, items trimmed; empty when the key is absent or blank. */
    public List<String> list(String key) {
        String spec = string(key, "");
        return spec.isBlank() ? List.of() : Arrays.stream(spec.split(",")).map(String::trim).toList();
    }

    public String requiredString(String key) {
        read.add(key);
        specs.putIfAbsent(key, new KeySpec(key, null, null, null));
        String value = values.get(key);
        if (value == null || value.isEmpty()) {
            throw new ConfigException("config: " + key + " is required (file key " + key + ", env " + envName(key) + ", flag --" + key + ")");
        }
        return value;
    }

    public int integer(String key, int defaultValue, int min, int max) {
        long value = longValue(key, defaultValue, min, max);
        return (int) value;
    }

    public long longValue(String key, long defaultValue, long min, long max) {
        read.add(key);
        specs.putIfAbsent(key, new KeySpec(key, Long.toString(defaultValue), min, max));
        String raw = values.get(key);
        long value;
        if (raw == null) {
            value = defaultValue;
        } else {
            try {
                value = Long.parseLong(raw.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new ConfigException("config: " + key + "=" + raw + " (from " + sources.get(key) + ") is not a whole number");
            }
        }
        if (value < min || value > max) {
            throw new ConfigException("config: " + key + "=" + value + " (from " + sources.getOrDefault(key, "default")
                    + ") must be in [" + min + ", " + max + "]");
        }
        return value;
    }

    public boolean bool(String key, boolean defaultValue) {
        read.add(key);
        specs.putIfAbsent(key, new KeySpec(key, Boolean.toString(defaultValue), null, null));
        String raw = values.get(key);
        if (raw == null) {
            return defaultValue;
        }
        if (raw.equalsIgnoreCase("true") || raw.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(raw);
        }
        throw new ConfigException("config: " + key + "=" + raw + " (from " + sources.get(key) + ") must be true or false");
    }

    /** Every key read so far, in the order first read, with its default and range. */
    public List<KeySpec> keySpecs() {
        return List.copyOf(specs.values());
    }

    /** Fails naming every key that was given but never read: most often a typo. */
    public void checkNoUnknownKeys() {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(read);
        if (!unknown.isEmpty()) {
            StringBuilder message = new StringBuilder("config: unknown key(s):");
            for (String key : unknown) {
                message.append(' ').append(key).append(" (from ").append(sources.get(key)).append(')');
            }
            throw new ConfigException(message.toString());
        }
    }

    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase().replace('.', '_');
    }
}
