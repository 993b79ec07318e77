package org.mcvirt.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The real virsh, used by tests to act behind mcvirt's back and to check what mcvirt did. */
public final class Virsh {
    private final String uri;

    public Virsh(String uri) {
        this.uri = uri;
    }

    public record Output(int status, String text) {
    }

    public Output run(String... args) {
        List<String> command = new ArrayList<>(List.of("virsh", "-c", uri));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Output(process.waitFor(), text);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run virsh", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs and insists on success. */
    public String ok(String... args) {
        Output output = run(args);
        if (output.status() != 0) {
            throw new IllegalStateException("virsh " + String.join(" ", args) + " failed: " + output.text());
        }
        return output.text();
    }
}
