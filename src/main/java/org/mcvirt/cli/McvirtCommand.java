package org.mcvirt.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.mcvirt.app.ClusterAccess;
import org.mcvirt.app.Drift;
import org.mcvirt.app.Timings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

@Command(name = "mcvirt", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "mcvirt 0.1.0",
        description = {"Declarative desired-state manager for small KVM clusters.",
            "", "Keep manifests of nodes, networks and VMs in git; 'plan' shows what would change, 'apply' makes it so."},
        subcommands = {ValidateCommand.class, PlanCommand.class, ApplyCommand.class, InfoCommand.class, ListCommand.class, ObserveCommand.class, LockCommand.class, ClusterCommand.class, VerifyCommand.class, ResyncCommand.class, MigrateCommand.class, RegisterCommand.class, ImportCommand.class, ShowCommand.class, GraphCommand.class, FailoverCommand.class,
            DriftCommand.class, ReconcileCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"", "Examples:", "  mcvirt -f cluster.yaml plan", "  mcvirt -f nodes.yaml -f vms/ apply", "",
            "Exit codes: 0 ok/no changes, 1 error, 2 changes present (plan --detailed-exitcode) or drift (drift),"
                + " 64 usage.",
            "Environment: MCVIRT_MANIFEST (default manifest paths, ':'-separated), NO_COLOR."})
final class McvirtCommand {
    final Terminal terminal;

    @Option(names = {"-f", "--file"}, paramLabel = "PATH", scope = CommandLine.ScopeType.INHERIT,
            description = "Manifest file or directory; repeatable, files merge. Default: $MCVIRT_MANIFEST or ./cluster.yaml")
    List<Path> files = new ArrayList<>();

    @Option(names = "--templates", paramLabel = "DIR", scope = CommandLine.ScopeType.INHERIT,
            description = "Directory of template overrides (same layout as templates/: libvirt/domain.ftl ...)")
    Path templates;

    @Option(names = "--no-color", scope = CommandLine.ScopeType.INHERIT, description = "Never colour output.")
    boolean noColor;

    @Option(names = "--node-timeout", paramLabel = "SECONDS", scope = CommandLine.ScopeType.INHERIT, defaultValue = "30",
            description = "How long a node may take to connect, to be read, or to answer one command before it is"
                    + " reported as not answering and left out (default: ${DEFAULT-VALUE}).")
    long nodeTimeoutSeconds;

    @Option(names = "--timings", scope = CommandLine.ScopeType.INHERIT,
            description = "After the command, print to standard error where its time went: reading the manifests,"
                    + " each node's connect (ssh, libvirt) and read (libvirt, the one ssh read of LVM, DRBD and"
                    + " mcvirt's records), the plan, and the total since the process started.")
    boolean timingsWanted;

    private Timings timings;

    McvirtCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    /** The recorder of this run: measuring with --timings, else one that records nothing. */
    Timings timings() {
        if (timings == null) {
            timings = timingsWanted ? Timings.on() : Timings.OFF;
        }
        return timings;
    }

    List<Path> manifests() {
        if (!files.isEmpty()) {
            return files;
        }
        String fromEnvironment = System.getenv("MCVIRT_MANIFEST");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Arrays.stream(fromEnvironment.split(":")).filter(s -> !s.isBlank()).map(Path::of).toList();
        }
        return List.of(Path.of("cluster.yaml"));
    }

    /** The manifests, templates and node timeout of this run, which every use case in app shares. */
    ClusterAccess access() {
        return new ClusterAccess(manifests(), Optional.ofNullable(templates), nodeTimeout(), timings());
    }

    Drift drift() {
        return new Drift(access());
    }

    private Duration nodeTimeout() {
        if (nodeTimeoutSeconds < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--node-timeout must be at least 1 second");
        }
        return Duration.ofSeconds(nodeTimeoutSeconds);
    }

    /** Whether manifests were named (-f or $MCVIRT_MANIFEST) rather than defaulted to ./cluster.yaml. */
    boolean manifestsGiven() {
        String fromEnvironment = System.getenv("MCVIRT_MANIFEST");
        return !files.isEmpty() || (fromEnvironment != null && !fromEnvironment.isBlank());
    }

    /** The command as typed, for the lock record: "mcvirt apply --auto-approve". */
    String commandLine(CommandSpec spec) {
        return "mcvirt " + String.join(" ", spec.root().commandLine().getParseResult().originalArgs());
    }

    boolean colour() {
        return terminal.colour() && !noColor;
    }
}
