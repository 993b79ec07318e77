package org.mcvirt.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mcvirt.app.ApplyOptions;
import org.mcvirt.app.Reconcile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "reconcile", mixinStandardHelpOptions = true,
         description = {"Repair health and power state, round after round: bring up DRBD resources",
             "that are down (a node rebooted or lost power), make a vm's disks primary on",
             "its node once UpToDate, start the vms whose manifest state is running, end a",
             "second primary left by an interrupted live migration. Nothing else: it",
             "never creates, deletes, migrates or fails over anything, nor changes a",
             "definition or autostart. A round whose plan has anything more (or problems)",
             "applies nothing and says so: run 'mcvirt plan'. A round holds the cluster",
             "lock only while it applies, and is one log line. After consecutive errors",
             "the wait doubles, up to 10 intervals. SIGINT/SIGTERM end the loop after the",
             "current round."},
         footer = {"", "Examples:", "  mcvirt -f cluster.yaml reconcile --once",
             "  mcvirt -f cluster.yaml reconcile --interval 30s", "",
             "Exit codes with --once: 0 repaired or nothing to repair, 1 error,",
             "2 changes beyond repairs (not applied). Without --once it runs until",
             "SIGINT/SIGTERM (then exits 130/143, the JVM's status for them)."})
final class ReconcileCommand implements Callable<Integer> {
    @ParentCommand
    McvirtCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "60s", converter = IntervalConverter.class,
            description = "The wait between rounds: seconds, or with a unit: 30s, 5m, 1h (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--once", description = "One round, then exit (for a systemd timer).")
    boolean once;

    @Option(names = "--json", description = "One JSON object per round, one per line.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Reconcile reconcile = new Reconcile(parent.access());
        ApplyOptions options = new ApplyOptions(false, 4, 60, Duration.ofSeconds(120), Duration.ofSeconds(3600),
                parent.commandLine(spec));
        Reconcile.Stop stop = new Reconcile.Stop();
        CountDownLatch ended = new CountDownLatch(1);
        // SIGINT/SIGTERM: the round in progress completes (its apply included), then the loop ends
        Thread hook = new Thread(() -> {
            stop.request();
            try {
                ended.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "mcvirt-reconcile-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        Optional<Reconcile.Round> last;
        try {
            last = new Reconcile.Loop(interval, once, number -> reconcile.round(options), Clock.systemUTC(), stop,
                    round -> {
                        out.println(json ? json(round) : line(round));
                        out.flush();
                    }).run();
        } finally {
            ended.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down already: the hook is running and now returns
            }
        }
        // without --once only a stop ends the loop, and then the JVM exits with the signal's status
        if (!once || last.isEmpty()) {
            return ExitCodes.OK;
        }
        return switch (last.get().result().outcome()) {
            case NOTHING_TO_REPAIR, REPAIRED -> ExitCodes.OK;
            case ERROR -> ExitCodes.ERROR;
            case BEYOND_REPAIRS -> ExitCodes.CHANGES_PRESENT;
        };
    }

    /** A round as one log line: "2026-12-03T07:20:00Z round 3: 2 repairs applied (...)". */
    static String line(Reconcile.Round round) {
        Reconcile.Result result = round.result();
        String what = switch (result.outcome()) {
            case NOTHING_TO_REPAIR -> "nothing to repair";
            case REPAIRED -> result.repairs().size() + (result.repairs().size() == 1 ? " repair" : " repairs")
                    + " applied (" + String.join("; ", result.repairs()) + ")";
            case BEYOND_REPAIRS -> "the plan has changes beyond repairs (" + result.beyondSteps()
                    + (result.beyondSteps() == 1 ? " step" : " steps") + ": " + String.join(", ", result.beyondKinds())
                    + "): run 'mcvirt plan'; nothing applied";
            case ERROR -> "error: " + result.error() + round.next().map(next -> "; next round in " + duration(next)
                    + (round.backingOff() ? " (backing off)" : "")).orElse("");
        };
        return timestamp(round) + " round " + round.number() + ": " + what;
    }

    /** A round as one JSON object on one line, for machines. */
    static String json(Reconcile.Round round) {
        Reconcile.Result result = round.result();
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("time", timestamp(round));
        object.put("round", round.number());
        object.put("outcome", result.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        object.put("repairs", result.repairs());
        object.put("beyondSteps", result.beyondSteps());
        object.put("beyondKinds", result.beyondKinds());
        object.put("error", result.error());
        object.put("nextRoundSeconds", round.next().map(Duration::toSeconds).orElse(null));
        object.put("backingOff", round.backingOff());
        try {
            return new ObjectMapper().writeValueAsString(object);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String timestamp(Reconcile.Round round) {
        return DateTimeFormatter.ISO_INSTANT.format(round.at().truncatedTo(ChronoUnit.SECONDS));
    }

    /** 45s, 2m, 1h, 90s: the largest unit that divides it. */
    static String duration(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds > 0 && seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds > 0 && seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }

    /** --interval: a whole number of seconds, minutes or hours (30s, 5m, 1h; no unit: seconds), at least 1s. */
    static final class IntervalConverter implements CommandLine.ITypeConverter<Duration> {
        private static final Pattern FORM = Pattern.compile("(\\d{1,9})([smh]?)");

        @Override
        public Duration convert(String value) {
            Matcher matcher = FORM.matcher(value.strip());
            if (!matcher.matches()) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: give a whole number"
                        + " with s, m or h, such as 30s, 5m or 1h");
            }
            long amount = Long.parseLong(matcher.group(1));
            Duration duration = switch (matcher.group(2)) {
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofSeconds(amount);
            };
            if (duration.isZero()) {
                throw new CommandLine.TypeConversionException("the interval must be at least 1s");
            }
            return duration;
        }
    }
}
