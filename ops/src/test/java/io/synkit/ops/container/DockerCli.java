package io.synkit.ops.container;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code docker} command line, for tests. (The issue asks for Testcontainers; its jars are not
 * in this build's offline repository, so the test drives the Docker CLI, which CI installs.)
 */
final class DockerCli {

    private static final long COMMAND_TIMEOUT_S = 300;

    private DockerCli() {
    }

    /** Null when a Docker daemon answers; else why not (the test is skipped with this reason). */
    static String unavailableReason() {
        try {
            Process info = new ProcessBuilder("docker", "info", "--format", "{{.ServerVersion}}").redirectErrorStream(true).start();
            String output = new String(info.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!info.waitFor(30, TimeUnit.SECONDS)) {
                info.destroyForcibly();
                return "docker info did not answer within 30 s";
            }
            return info.exitValue() == 0 ? null : "no Docker daemon answers (" + output + ")";
        } catch (IOException e) {
            return "no docker command (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Runs {@code docker args...}; returns its stdout (trimmed); throws with its output on a non-zero exit. */
    static String docker(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        return run(command);
    }

    static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT_S + " s");
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + process.exitValue() + ": " + output);
        }
        return output;
    }

    /** Like {@link #docker} but never throws: for cleanup. */
    static void quietly(String... args) {
        try {
            docker(args);
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
