package org.mcvirt.app;

/** Progress of an apply, step by step: the CLI prints it. Called from worker threads. */
public interface ApplyProgress {
    /** The step a progress line is about: its number in the plan, its node and what it does. */
    record StepLine(int id, String node, String description) {
    }

    void started(StepLine step);

    void finished(StepLine step, long millis, String note);

    void failed(StepLine step, long millis, String error);

    void skipped(StepLine step, String why);

    /** A long step (a shutdown wait, a sync) says how far it got. */
    void progress(StepLine step, String message);
}
