package org.mcvirt.apply;

/** What happened to one step. */
public record StepOutcome(int id, Status status, String message) {
    public enum Status { DONE, FAILED, SKIPPED }
}
