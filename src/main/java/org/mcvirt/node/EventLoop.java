package org.mcvirt.node;

import java.time.Duration;
import org.libvirt.LibvirtException;
import org.libvirt.Library;

/**
 * libvirt's event loop, which its keepalive needs: registered once, before any connection with keepalive is opened,
 * and run by a daemon thread until {@link #stop}. A class of its own so that asking to stop it at the process exit
 * loads no native library when no connection was ever opened ({@link LibvirtNode}'s class loads libvirt's).
 */
public final class EventLoop {
    private static Thread loop;

    private EventLoop() {
    }

    static synchronized void ensureRunning() throws LibvirtException {
        if (loop != null) {
            return;
        }
        Library.initEventLoop();
        Thread thread = new Thread(() -> {
            try {
                Library.runEventLoop();
            } catch (LibvirtException | InterruptedException e) {
                // the loop ends with the process, or with stop; keepalive stops with it
            }
        }, "libvirt-event-loop");
        thread.setDaemon(true);
        thread.start();
        loop = thread;
    }

    /**
     * Ends the loop, for the process exit: a thread inside native code (the loop waits in poll) holds the JVM's exit
     * for 300 ms (HotSpot waits that long for threads in native code to block), a third of a no-change plan on one
     * local node. libvirt wakes the loop with an immediate timer; it is waited for at most the given time. Connections
     * still open lose their keepalive, so this is only for the end of the process.
     */
    public static synchronized void stop(Duration wait) {
        Thread thread = loop;
        if (thread == null) {
            return;
        }
        try {
            Library.stopEventLoop();
            thread.join(wait.toMillis());
        } catch (LibvirtException e) {
            // the loop goes with the process, as before
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
