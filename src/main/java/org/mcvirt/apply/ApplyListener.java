package org.mcvirt.apply;

import org.mcvirt.plan.Step;

/** Progress of an apply (Terraform's Hook): the CLI prints it, tests record it. Called from worker threads. */
public interface ApplyListener {
    void started(Step step);

    void finished(Step step, long millis, String note);

    void failed(Step step, long millis, String error);

    void skipped(Step step, String why);

    /** A long step (a shutdown wait) says how far it got. */
    default void progress(Step step, String message) {
    }
}
