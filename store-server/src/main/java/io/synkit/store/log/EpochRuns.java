package io.synkit.store.log;

import java.util.Arrays;

/** Epochs as runs (first index, epoch): epochs change rarely, so this stays small while answering epochAt without disk reads. */
final class EpochRuns {
    private long[] startIndexes = new long[8];
    private long[] epochs = new long[8];
    private int count;

    void add(long index, long epoch) {
        if (count > 0 && epochs[count - 1] == epoch) {
            return;
        }
        if (count == startIndexes.length) {
            startIndexes = Arrays.copyOf(startIndexes, count * 2);
            epochs = Arrays.copyOf(epochs, count * 2);
        }
        startIndexes[count] = index;
        epochs[count] = epoch;
        count++;
    }

    long epochAt(long index) {
        int found = Arrays.binarySearch(startIndexes, 0, count, index);
        int run = found >= 0 ? found : -found - 2;
        if (run < 0) {
            throw new IllegalStateException("no epoch run holds index " + index);
        }
        return epochs[run];
    }

    void truncateFrom(long index) {
        while (count > 0 && startIndexes[count - 1] >= index) {
            count--;
        }
    }

    /** Forgets runs that end before {@code index}; the run holding it stays. */
    void dropBefore(long index) {
        int first = 0;
        while (first + 1 < count && startIndexes[first + 1] <= index) {
            first++;
        }
        System.arraycopy(startIndexes, first, startIndexes, 0, count - first);
        System.arraycopy(epochs, first, epochs, 0, count - first);
        count -= first;
    }
}
