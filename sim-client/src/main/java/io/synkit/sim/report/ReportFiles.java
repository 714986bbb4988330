package io.synkit.sim.report;

import java.nio.file.Path;

/** The files {@link ReportWriter} wrote for one run. */
public record ReportFiles(Path json, Path html, Path latencyPng, Path throughputPng) {
}
