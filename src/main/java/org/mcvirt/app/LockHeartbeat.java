package org.mcvirt.app;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Renews a lock holder's heartbeat on each of its nodes every interval, on daemon threads, one node independent of
 * the others (a node that stops answering delays only its own renewal). Stopped when the lock is released.
 */
final class LockHeartbeat {
    private final ScheduledExecutorService scheduler;

    private LockHeartbeat(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    static LockHeartbeat start(List<String> nodes, Duration interval, Consumer<String> renew) {
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(Math.max(1, nodes.size()), r -> {
            Thread thread = new Thread(r, "mcvirt-lock-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        for (String node : nodes) {
            scheduler.scheduleWithFixedDelay(() -> {
                try {
                    renew.accept(node);
                } catch (RuntimeException e) {
                    // a renewal that failed here is tried again at the next interval
                }
            }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        }
        return new LockHeartbeat(scheduler);
    }

    /** No renewal starts after this; one in flight finishes (it changes the file only while it holds the token). */
    void stop() {
        scheduler.shutdownNow();
    }
}
