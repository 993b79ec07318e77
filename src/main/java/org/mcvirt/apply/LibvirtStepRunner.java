package org.mcvirt.apply;

import java.util.Map;
import org.mcvirt.node.LibvirtNode;
import org.mcvirt.node.NodeException;
import org.mcvirt.plan.Step;

/** Maps each step kind to the libvirt primitive that performs it. No decisions: the plan made them. */
public final class LibvirtStepRunner implements StepRunner {
    private final Map<String, LibvirtNode> nodes;
    private final long shutdownTimeoutSeconds;
    private final ApplyListener progress;

    public LibvirtStepRunner(Map<String, LibvirtNode> nodes, long shutdownTimeoutSeconds, ApplyListener progress) {
        this.nodes = Map.copyOf(nodes);
        this.shutdownTimeoutSeconds = shutdownTimeoutSeconds;
        this.progress = progress;
    }

    @Override
    public String run(Step step) throws NodeException {
        LibvirtNode node = nodes.get(step.node());
        if (node == null) {
            throw new IllegalStateException("no connection to node " + step.node());
        }
        switch (step.kind()) {
            case CREATE_POOL -> node.createPool(step.argument("name"), step.argument("xml"));
            case START_POOL -> node.startPool(step.argument("name"));
            case CREATE_VOLUME -> node.createVolume(step.argument("pool"), step.argument("name"), step.argument("xml"));
            case CREATE_NETWORK -> node.createNetwork(step.argument("name"), step.argument("xml"));
            case START_NETWORK -> node.startNetwork(step.argument("name"));
            case DELETE_NETWORK -> node.deleteNetwork(step.argument("name"));
            case DEFINE_DOMAIN -> node.defineDomain(step.argument("xml"));
            case SET_MEMORY_LIVE -> node.setLiveMemory(step.argument("name"), Long.parseLong(step.argument("kib")));
            case ATTACH_DEVICE_LIVE -> node.attachDeviceLive(step.argument("name"), step.argument("xml"));
            case DETACH_DEVICE_LIVE -> node.detachDeviceLive(step.argument("name"), step.argument("xml"));
            case SET_AUTOSTART -> node.setDomainAutostart(step.argument("name"),
                    Boolean.parseBoolean(step.argument("autostart")));
            case START_DOMAIN -> node.startDomain(step.argument("name"));
            case SHUTDOWN_DOMAIN -> {
                if (node.shutdownDomain(step.argument("name"), shutdownTimeoutSeconds,
                        message -> progress.progress(step, message))) {
                    return "the guest did not shut down within " + shutdownTimeoutSeconds + "s; powered off";
                }
            }
            case UNDEFINE_DOMAIN -> node.undefineDomain(step.argument("name"));
            case DELETE_VOLUME -> node.deleteVolume(step.argument("pool"), step.argument("name"));
        }
        return "";
    }
}
