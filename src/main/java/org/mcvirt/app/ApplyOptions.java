package org.mcvirt.app;

import java.time.Duration;

/**
 * What apply was asked to do. stepTimeout bounds each step; a shutdown step also gets the shutdown timeout, and an
 * initial DRBD sync or a live migration the sync timeout (they wait by design, with progress).
 */
public record ApplyOptions(boolean allowDestroy, int parallelism, long shutdownTimeoutSeconds, Duration stepTimeout,
                           Duration syncTimeout, String command) {
}
