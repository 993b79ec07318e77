package org.mcvirt.node;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs work for a node on a daemon thread of its own and waits for it at most a given time. When the time
 * passes the caller gets an unresponsive {@link NodeException} naming the call that stalled and how long it
 * waited; the worker is abandoned (it is a daemon, so a thread stuck in a native libvirt call never keeps the JVM
 * alive).
 */
public final class Deadline {
    private Deadline() {
    }

    /** Work that may fail with a node error. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws Exception;
    }

    /**
     * @param activity what the worker is doing right now (asked only when the deadline passes), e.g. "list domains"
     */
    public static <T> T run(String node, String purpose, Duration timeout, Supplier<String> activity, Work<T> work)
            throws NodeException {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread worker = new Thread(() -> {
            try {
                result.complete(work.run());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "mcvirt-" + node + "-" + purpose);
        worker.setDaemon(true);
        long start = System.nanoTime();
        worker.start();
        try {
            return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            String doing = activity.get();
            throw NodeException.unresponsive(node, "stopped answering: " + purpose + " did not finish within "
                    + describe(timeout) + " (waited " + describe(Duration.ofNanos(System.nanoTime() - start)) + ")"
                    + (doing == null || doing.isEmpty() ? "" : "; stalled in: " + doing), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw NodeException.unresponsive(node, purpose + " was interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof NodeException node1) {
                throw node1;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new NodeException(node, purpose + ": " + cause.getMessage(), cause);
        }
    }

    /** "30s", "1.5s", "2m 5s". */
    public static String describe(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 60_000) {
            return millis % 1000 == 0 ? millis / 1000 + "s" : String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
        }
        return millis / 60_000 + "m " + (millis / 1000) % 60 + "s";
    }
}
