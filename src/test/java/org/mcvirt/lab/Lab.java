package org.mcvirt.lab;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The two-node lab (lab/up) as tests use it: its scripts, its nodes file, and its guests' QEMU monitors. */
final class Lab {
    static final Path NODES = Path.of("lab/.state/nodes.yaml").toAbsolutePath();
    static final Path KNOWN_HOSTS = Path.of("lab/.state/known_hosts").toAbsolutePath();

    private Lab() {
    }

    record Output(int status, String text) {
    }

    /** Runs a lab script (status, ssh NODE ...) and returns its exit status and output. */
    static Output script(String... command) {
        return script(java.util.Map.of(), command);
    }

    /** As {@link #script(String...)}, with extra environment. */
    static Output script(java.util.Map<String, String> environment, String... command) {
        List<String> full = new ArrayList<>();
        full.add("lab/" + command[0]);
        full.addAll(List.of(command).subList(1, command.length));
        try {
            ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true);
            builder.environment().putAll(environment);
            Process process = builder.start();
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Output(process.waitFor(), text);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + full, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Whether lab/status was green once in this JVM (the lab classes run in one fork, one after the other). */
    private static boolean up;

    /**
     * Fails unless lab/status is green: the lab tests need lab/up. lab/status probes both nodes; it runs once per
     * test run, not once per class: a class that leaves a node frozen or its sshd reloading waits for it to answer
     * again itself (Lab.awaitSsh), so the next class finds the lab as lab/status saw it.
     */
    static synchronized void assertUp() {
        if (up) {
            return;
        }
        Output status = script("status");
        if (status.status() != 0) {
            throw new AssertionError("lab/status must be green (run lab/up):\n" + status.text());
        }
        up = true;
    }

    /** Runs a command inside a guest and insists on success. */
    static String ssh(String node, String... command) {
        String[] full = new String[command.length + 2];
        full[0] = "ssh";
        full[1] = node;
        System.arraycopy(command, 0, full, 2, command.length);
        Output output = script(full);
        if (output.status() != 0) {
            throw new IllegalStateException("lab/ssh " + node + " " + String.join(" ", command) + " failed: " + output.text());
        }
        return output.text();
    }

    /**
     * Waits until the guest's sshd takes new connections again (after a reload it refuses them for a moment): each try
     * on a connection of its own (LAB_SSH_FRESH), since lab/ssh's shared connection outlives a reload.
     */
    static void awaitSsh(String node) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (script(java.util.Map.of("LAB_SSH_FRESH", "1"), "ssh", node, "true").status() != 0) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("sshd on " + node + " did not answer again within 60 s");
            }
            Thread.sleep(500);
        }
    }

    /**
     * Sends one human-monitor command to a guest's QEMU ("stop" freezes the guest, "cont" resumes it) and, for those
     * two, waits until QEMU reports the guest paused or running (at most 10 s), so the freeze is in effect on return.
     */
    static void monitor(String node, String command) throws IOException {
        Path socket = Path.of("lab/.state", node, "monitor.sock");
        String expected = switch (command) {
            case "stop" -> "VM status: paused";
            case "cont" -> "VM status: running";
            default -> null;
        };
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap((command + "\n" + (expected == null ? "" : "info status\n"))
                    .getBytes(StandardCharsets.UTF_8)));
            channel.configureBlocking(false);
            ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
            String awaited = expected == null ? "(qemu) " + command : expected;
            long deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline) {
                if (channel.read(buffer) <= 0) {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).contains(awaited)) {
                    return;
                }
                if (!buffer.hasRemaining()) {
                    buffer.clear();
                }
            }
            throw new IllegalStateException("QEMU of " + node + " did not confirm '" + command + "' within 10 s: "
                    + new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
        }
    }

    /**
     * A copy of the lab's nodes file in dir with a storage directory of the cluster's own: libvirt allows one pool per
     * directory, and the demo (manifests/examples/lab.yaml) may own /var/lib/mcvirt/images on the same lab.
     */
    static Path nodesFor(Path dir, String cluster) throws IOException {
        Path nodes = dir.resolve("nodes.yaml");
        java.nio.file.Files.writeString(nodes, java.nio.file.Files.readString(NODES).replace(
                "path: /var/lib/mcvirt/images}", "path: /var/lib/mcvirt/" + cluster + "}"));
        if (!java.nio.file.Files.readString(nodes).contains("/var/lib/mcvirt/" + cluster)) {
            throw new IllegalStateException("the lab's nodes file has no images storage to move: " + NODES);
        }
        return nodes;
    }

    /**
     * Removes everything a test cluster made on the lab: thaws node2, breaks a left-over lock, destroys the vms and
     * networks with mcvirt (it must succeed), and removes the cluster's pool by hand (mcvirt never deletes pools).
     */
    static void destroyCluster(Path nodes, Path dir, String cluster) throws Exception {
        monitor("node2", "cont");
        Path nothing = dir.resolve("nothing.yaml");
        java.nio.file.Files.writeString(nothing, "apiVersion: mcvirt/v1\ncluster: {name: " + cluster
                + "}\nnetworks: []\nvms: []\n");
        org.mcvirt.testing.Cli.run("-f", nodes.toString(), "-f", nothing.toString(), "lock", "break", "--force");
        org.mcvirt.testing.Cli.Result destroyed = org.mcvirt.testing.Cli.run("-f", nodes.toString(), "-f",
                nothing.toString(), "apply", "--auto-approve", "--allow-destroy", "--shutdown-timeout", "1");
        if (destroyed.exitCode() != 0) {
            throw new IllegalStateException("cannot clean up cluster " + cluster + ": " + destroyed);
        }
        for (String node : new String[] {"node1", "node2"}) {
            script("ssh", node, "virsh", "-c", "qemu:///system", "pool-destroy", "mcvirt." + cluster + ".images");
            ssh(node, "virsh", "-c", "qemu:///system", "pool-undefine", "mcvirt." + cluster + ".images");
        }
    }

    /**
     * The nodes file of a DRBD test cluster: its own images directory (nodesFor) and its own state directory, since
     * the cluster lock is per node and other lab tests may hold theirs meanwhile.
     */
    static Path drbdNodesFor(Path dir, String cluster, String state) throws IOException {
        Path nodes = nodesFor(dir, cluster);
        java.nio.file.Files.writeString(nodes, java.nio.file.Files.readString(nodes).replace("    address: 127.0.0.1\n",
                "    address: 127.0.0.1\n    paths: {state: " + state + "}\n"));
        return nodes;
    }

    /** destroyCluster, then by hand on both nodes whatever a failed test left of the resource and the state directory. */
    static void destroyDrbdCluster(Path nodes, Path dir, String cluster, String resource, String state)
            throws Exception {
        try {
            destroyCluster(nodes, dir, cluster);
        } finally {
            for (String node : new String[] {"node1", "node2"}) {
                script("ssh", node, "sh", "-c", "'drbdadm down " + resource + " 2>/dev/null; rm -f /etc/drbd.d/"
                        + resource + ".res; lvremove -y vg0/" + resource + " 2>/dev/null; rm -rf " + state + "; true'");
            }
        }
    }

    /** A DRBD shared-secret file in dir, unique to the test: "PREFIX-" and 16 random hex digits. */
    static java.nio.file.Path secretFile(java.nio.file.Path dir, String prefix) throws IOException {
        java.nio.file.Path secret = dir.resolve("drbd.secret");
        java.nio.file.Files.writeString(secret, prefix + "-" + java.util.UUID.randomUUID().toString().replace("-", "")
                .substring(0, 16) + "\n");
        return secret;
    }

    /** The head of a DRBD test cluster's manifest: its name, DRBD on minors 300-399 and ports 7800-7849. */
    static String drbdCluster(String cluster, java.nio.file.Path secret) {
        return "apiVersion: mcvirt/v1\ncluster:\n  name: " + cluster + "\n  drbd: {enabled: true, minors: 300-399,"
                + " ports: 7800-7849, secret: {file: " + secret + "}}\n";
    }

    /**
     * mcvirt in a process of its own, with extra environment (the test-only switches) and the manifests given; its
     * exit status and output. One that has not ended after limit is killed and fails the test.
     */
    static Output mcvirtProcess(java.nio.file.Path dir, java.util.Map<String, String> environment,
                                java.time.Duration limit, String... args) throws IOException, InterruptedException {
        java.nio.file.Path log = dir.resolve("mcvirt-" + java.util.UUID.randomUUID() + ".log");
        List<String> command = new ArrayList<>(List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin",
                "java").toString(), "-cp", System.getProperty("java.class.path"), "org.mcvirt.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process started = builder.start();
        if (!started.waitFor(limit.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
            started.destroyForcibly();
            throw new AssertionError("mcvirt " + String.join(" ", args) + " did not end within " + limit + ": "
                    + java.nio.file.Files.readString(log));
        }
        return new Output(started.exitValue(), java.nio.file.Files.readString(log));
    }

    /** mcvirt in this JVM with a test cluster's nodes file and manifest, then args. */
    static org.mcvirt.testing.Cli.Result mcvirt(java.nio.file.Path nodes, java.nio.file.Path manifest, String... args) {
        List<String> all = new ArrayList<>(List.of("-f", nodes.toString(), "-f", manifest.toString()));
        all.addAll(List.of(args));
        return org.mcvirt.testing.Cli.run(all.toArray(String[]::new));
    }
}
