package org.mcvirt.app;

import java.time.Duration;

/** What 'mcvirt migrate' was asked. */
public record MigrateRequest(String vm, String node, boolean live, boolean waitForShutdown, Duration waitLimit,
                             boolean startAfter) {
}
