package org.mcvirt.app;

/** How apply talks to the operator: shows the plan, then asks (the CLI refuses without a terminal). */
public interface Interaction {
    void show(PlanView plan);

    boolean approve(PlanView plan) throws McvirtException;
}
