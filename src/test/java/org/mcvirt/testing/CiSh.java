package org.mcvirt.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The GitOps example (manifests/examples/gitops) as tests use it: a copy of its files, and its ci.sh run in a process
 * of its own with mcvirt from the test class path (so no jar is built meanwhile).
 */
public final class CiSh {
    public static final Path EXAMPLE = Path.of("manifests/examples/gitops").toAbsolutePath();

    private CiSh() {
    }

    public record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    /** A copy of the example (dot files included, out/ left behind) in dir/gitops. */
    public static Path copyExample(Path dir) throws IOException {
        Path target = dir.resolve("gitops");
        try (Stream<Path> files = Files.walk(EXAMPLE)) {
            for (Path source : files.sorted().toList()) {
                Path relative = EXAMPLE.relativize(source);
                if (relative.toString().equals("out") || relative.startsWith("out/")) {
                    continue;
                }
                Path copy = target.resolve(relative.toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(source, copy, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return target;
    }

    /** An executable script in dir that runs mcvirt's Main from this JVM's class path: the MCVIRT that ci.sh runs. */
    public static Path mcvirtCommand(Path dir) throws IOException {
        Path script = dir.resolve("mcvirt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(script, "#!/bin/sh\nexec " + quote(java) + " -cp " + quote(System.getProperty("java.class.path"))
                + " org.mcvirt.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /**
     * Runs ci.sh with arguments and the environment given on top of this process's, less every MCVIRT_* variable and
     * GITHUB_OUTPUT of the outside (so only the test decides them); fails when it runs longer than timeout.
     */
    public static Result run(Path ciSh, Map<String, String> environment, Duration timeout, String... arguments)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("mcvirt-ci-sh");
        Path out = dir.resolve("out-" + UUID.randomUUID());
        Path err = dir.resolve("err-" + UUID.randomUUID());
        ProcessBuilder builder = new ProcessBuilder(Stream.concat(Stream.of(ciSh.toString()), Stream.of(arguments))
                .toList()).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().keySet().removeIf(name -> name.startsWith("MCVIRT") || name.equals("GITHUB_OUTPUT"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("ci.sh " + String.join(" ", List.of(arguments)) + " did not end within " + timeout
                    + ":\n" + Files.readString(out) + Files.readString(err));
        }
        Result result = new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        Files.delete(dir);
        return result;
    }

    private static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }
}
