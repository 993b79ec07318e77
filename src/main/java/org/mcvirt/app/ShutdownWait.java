package org.mcvirt.app;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.mcvirt.node.Deadline;
import org.mcvirt.node.LibvirtNode;
import org.mcvirt.node.NodeException;

/** The one polling loop: waits until a guest powers itself off, asking its node once a second. */
final class ShutdownWait {
    private static final long REPORT_EVERY_SECONDS = 10;

    private ShutdownWait() {
    }

    /**
     * Waits (outside the lock: nothing changes while it waits) until vm on node is no longer active, reporting every
     * 10 seconds, for at most limit; each question to the node is bounded by the node timeout.
     */
    static void await(Cluster cluster, String node, String vm, Duration limit, Consumer<String> progress) throws McvirtException {
        long start = System.nanoTime();
        long nextReport = start + TimeUnit.SECONDS.toNanos(REPORT_EVERY_SECONDS);
        while (true) {
            boolean active;
            try {
                LibvirtNode libvirt = cluster.nodes().get(node);
                active = Deadline.run(node, "read the state of " + vm, cluster.nodeTimeout(), libvirt::activity,
                        () -> libvirt.domainActive(vm));
            } catch (NodeException e) {
                throw new McvirtException(McvirtException.Category.NODE, e.getMessage(), e);
            }
            if (!active) {
                return;
            }
            long waited = System.nanoTime() - start;
            if (waited >= limit.toNanos()) {
                throw new McvirtException(McvirtException.Category.REFUSED, "vm " + vm + " still runs on " + node
                        + " after waiting " + limit.toSeconds() + "s for the guest to power off; nothing was"
                        + " changed");
            }
            if (System.nanoTime() >= nextReport) {
                progress.accept("waiting for " + vm + " on " + node + " to power off: "
                        + TimeUnit.NANOSECONDS.toSeconds(waited) + "s of " + limit.toSeconds() + "s");
                nextReport += TimeUnit.SECONDS.toNanos(REPORT_EVERY_SECONDS);
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new McvirtException(McvirtException.Category.REFUSED, "interrupted while waiting", e);
            }
        }
    }
}
