package org.mcvirt.cli;

/** The exit codes scripts rely on (DESIGN.md). */
final class ExitCodes {
    static final int OK = 0;
    static final int ERROR = 1;
    static final int CHANGES_PRESENT = 2;
    static final int USAGE = 64;

    private ExitCodes() {
    }
}
