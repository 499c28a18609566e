package dev.siac.io;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting on background work that must end before what it uses is freed. */
public final class Futures {

    private Futures() {
    }

    /**
     * Waits until every future is done, whether it succeeded or failed (failures are reported, or superseded, by whoever
     * asked for the results); an interrupt does not cut the wait short but is restored afterwards.
     */
    public static void awaitAll(Iterable<? extends Future<?>> futures) {
        boolean interrupted = false;
        for (Future<?> f : futures) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException ignored) {
                    break;
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
