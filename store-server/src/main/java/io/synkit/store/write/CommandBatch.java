package io.synkit.store.write;

import io.synkit.protocol.internal.StoreRequest;
import io.synkit.protocol.internal.StoreResponse;
import io.synkit.runtime.Clock;
import io.synkit.store.engine.StoreEngine;
import java.util.List;

/**
 * The write batch a primary's writer thread builds for a run of write commands, built here on
 * committed state without the pipeline: for tools that measure what building and applying such
 * batches costs, and tests that need a store without its threads, with the store's own commands
 * rather than a copy of what they write. Single-threaded, like the writer.
 */
public final class CommandBatch implements AutoCloseable {

    private final WriteCommands commands;
    private final BatchView view;
    private boolean closed;

    /** A batch on committed state that remembers nothing of earlier batches. */
    public CommandBatch(StoreEngine engine, Clock clock) {
        this(engine, clock, new WriterMemory());
    }

    /**
     * A batch on committed state, with what earlier batches, all applied since, left in the
     * writer's memory: as a primary's writer builds batch after batch.
     */
    public CommandBatch(StoreEngine engine, Clock clock, WriterMemory memory) {
        this.commands = new WriteCommands(engine, clock, memory);
        this.view = new BatchView(engine, List.of());
    }

    /** Adds the command's writes to the batch; a refused command throws its {@code RpcException} and adds none. */
    public StoreResponse apply(StoreRequest request) {
        if (closed) {
            throw new IllegalStateException("the batch is closed: its bytes were taken, it takes no more commands");
        }
        return commands.apply(view, request);
    }

    /** Keys the batch writes so far (puts and deletes): what a benchmark counts as storage writes. */
    public int keyCount() {
        return view.keyCount();
    }

    /** The batch's bytes, as a primary proposes them to the replication log and its backups apply them. */
    public byte[] data() {
        return view.data().toByteArray();
    }

    /** Takes no more commands from now on; holds nothing native (the batch is built in Java), so nothing to release. */
    @Override
    public void close() {
        closed = true;
    }
}
