package dev.siac.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting on background work that must end before what it uses is freed. */
public final class Futures {

    private Futures() {
    }

    /**
     * The future's value once it is done; its failure rethrown as it was thrown where it can be (an IOException, a
     * RuntimeException or an Error), else in an IOException. An interrupt while waiting is restored and reported as an
     * InterruptedIOException "interrupted while " + doing.
     */
    public static <T> T get(Future<T> f, String doing) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw (IOException) new InterruptedIOException("interrupted while " + doing).initCause(e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) throw io;
            if (c instanceof RuntimeException re) throw re;
            if (c instanceof Error er) throw er;
            throw new IOException(String.valueOf(c), c);
        }
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
