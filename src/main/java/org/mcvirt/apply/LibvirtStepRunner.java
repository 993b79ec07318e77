package org.mcvirt.apply;

import java.util.Map;
import org.mcvirt.node.NodeException;
import org.mcvirt.node.NodePrimitives;
import org.mcvirt.plan.Step;

/** Maps each step kind to the libvirt primitive that performs it. No decisions: the plan made them. */
public final class LibvirtStepRunner implements StepRunner {
    private final Map<String, NodePrimitives> nodes;
    private final long shutdownTimeoutSeconds;
    private final ApplyListener progress;

    public LibvirtStepRunner(Map<String, ? extends NodePrimitives> nodes, long shutdownTimeoutSeconds,
                             ApplyListener progress) {
        this.nodes = Map.copyOf(nodes);
        this.shutdownTimeoutSeconds = shutdownTimeoutSeconds;
        this.progress = progress;
    }

    @Override
    public String run(Step step) throws NodeException {
        NodePrimitives node = nodes.get(step.node());
        if (node == null) {
            throw new IllegalStateException("no connection to node " + step.node());
        }
        // a switch expression: a step kind without a case here does not compile
        return switch (step.kind()) {
            case CREATE_POOL -> done(() -> node.createPool(step.argument("name"), step.argument("xml")));
            case START_POOL -> done(() -> node.startPool(step.argument("name")));
            case CREATE_VOLUME -> done(() -> node.createVolume(step.argument("pool"), step.argument("name"),
                    step.argument("xml")));
            case CREATE_NETWORK -> done(() -> node.createNetwork(step.argument("name"), step.argument("xml")));
            case START_NETWORK -> done(() -> node.startNetwork(step.argument("name")));
            case DELETE_NETWORK -> done(() -> node.deleteNetwork(step.argument("name")));
            case DEFINE_DOMAIN -> done(() -> node.defineDomain(step.argument("xml")));
            case SET_MEMORY_LIVE -> done(() -> node.setLiveMemory(step.argument("name"),
                    Long.parseLong(step.argument("kib"))));
            case ATTACH_DEVICE_LIVE -> done(() -> node.attachDeviceLive(step.argument("name"), step.argument("xml")));
            case DETACH_DEVICE_LIVE -> done(() -> node.detachDeviceLive(step.argument("name"), step.argument("xml")));
            case SET_AUTOSTART -> done(() -> node.setDomainAutostart(step.argument("name"),
                    Boolean.parseBoolean(step.argument("autostart"))));
            case START_DOMAIN -> done(() -> node.startDomain(step.argument("name")));
            case SHUTDOWN_DOMAIN -> node.shutdownDomain(step.argument("name"), shutdownTimeoutSeconds,
                    message -> progress.progress(step, message))
                    ? "the guest did not shut down within " + shutdownTimeoutSeconds + "s; powered off" : "";
            case UNDEFINE_DOMAIN -> done(() -> node.undefineDomain(step.argument("name")));
            case DELETE_VOLUME -> done(() -> node.deleteVolume(step.argument("pool"), step.argument("name")));
        };
    }

    private interface Primitive {
        void run() throws NodeException;
    }

    /** Runs a primitive that has nothing to add to the progress line. */
    private static String done(Primitive primitive) throws NodeException {
        primitive.run();
        return "";
    }
}
