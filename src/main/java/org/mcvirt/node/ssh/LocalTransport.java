package org.mcvirt.node.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.mcvirt.node.ssh.SshException.Category;

/**
 * The node mcvirt itself runs on ({@code local: true} in the manifest). Programs are started directly from their
 * argument list with no shell in between; files are replaced by writing a temporary file in the same directory and
 * renaming it over the target with an atomic move. Errors use the same categories as {@link SshTransport}, with
 * {@code local} in place of host:port.
 */
public final class LocalTransport implements NodeTransport {
    private static final String ENDPOINT = "local";
    private static final int NOT_FOUND_STATUS = 127;

    private final String nodeName;
    private final Duration commandTimeout;

    /**
     * @param nodeName       the node's name in the manifest
     * @param commandTimeout limit for each command; a command running longer is killed with its children
     */
    public LocalTransport(String nodeName, Duration commandTimeout) {
        this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
        this.commandTimeout = Objects.requireNonNull(commandTimeout, "commandTimeout");
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("commandTimeout must be positive");
        }
    }

    @Override
    public String nodeName() {
        return nodeName;
    }

    @Override
    public CommandResult run(List<String> command) throws SshException {
        return run(command, commandTimeout);
    }

    @Override
    public CommandResult run(List<String> command, Duration commandTimeout) throws SshException {
        String commandLine = ShellQuoting.commandLine(command);
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            return new CommandResult(NOT_FOUND_STATUS, "", "mcvirt: cannot run " + command.get(0) + ": "
                    + e.getMessage() + "\n");
        }
        StreamCollector stdout = StreamCollector.start(process.getInputStream(), "stdout of " + command.get(0));
        StreamCollector stderr = StreamCollector.start(process.getErrorStream(), "stderr of " + command.get(0));
        long deadline = System.nanoTime() + commandTimeout.toNanos();
        try {
            closeQuietly(process.getOutputStream());
            if (!process.waitFor(commandTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                kill(process);
                throw timeout(commandLine, commandTimeout);
            }
            if (!stdout.finish(deadline) || !stderr.finish(deadline)) {
                throw timeout(commandLine + " (a process it started kept its output open)", commandTimeout);
            }
            return CommandResult.decode(process.exitValue(), stdout.bytes(), stderr.bytes());
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw failure(Category.IO, "interrupted while running " + commandLine + "; it was killed", e);
        } catch (IOException e) {
            throw failure(Category.IO, "cannot read the output of " + commandLine + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String endpoint() {
        return ENDPOINT;
    }

    @Override
    public void writeFileAtomically(String path, byte[] content, String mode) throws SshException {
        Path target = Path.of(FileModes.requireAbsolute(path));
        Set<PosixFilePermission> permissions = FileModes.permissions(mode);
        Objects.requireNonNull(content, "content");
        Path temporary = null;
        try {
            temporary = Files.createTempFile(target.getParent(), target.getFileName() + ".tmp.", "",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.setPosixFilePermissions(temporary, permissions);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temporary = null;
        } catch (AtomicMoveNotSupportedException e) {
            throw failure(Category.IO, "cannot replace " + path + " atomically: " + e.getMessage(), e);
        } catch (IOException e) {
            throw failure(Category.IO, "cannot write " + path + ": " + e, e);
        } finally {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException e) {
                    // the write already failed; a stray temporary file is the lesser problem
                }
            }
        }
    }

    @Override
    public Optional<byte[]> readFile(String path) throws SshException {
        try {
            return Optional.of(Files.readAllBytes(Path.of(FileModes.requireAbsolute(path))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw failure(Category.IO, "cannot read " + path + ": " + e, e);
        }
    }

    /** Nothing to release: each command is its own process. */
    @Override
    public void close() {
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static void closeQuietly(OutputStream stream) {
        try {
            stream.close();
        } catch (IOException e) {
            // the process has already exited: it needed no input
        }
    }

    private SshException timeout(String what, Duration limit) {
        return failure(Category.TIMEOUT, what + " did not finish within " + SshTransport.describe(limit)
                + " and was killed", null);
    }

    private SshException failure(Category category, String detail, Throwable cause) {
        return new SshException(category, nodeName, ENDPOINT, detail, cause);
    }

    /** Drains one output stream of a process on its own thread so that a full pipe never blocks the process. */
    private static final class StreamCollector implements Runnable {
        private final InputStream stream;
        private byte[] bytes;
        private IOException failure;
        private Thread thread;

        private StreamCollector(InputStream stream) {
            this.stream = stream;
        }

        static StreamCollector start(InputStream stream, String name) {
            StreamCollector collector = new StreamCollector(stream);
            collector.thread = new Thread(collector, "mcvirt " + name);
            collector.thread.setDaemon(true);
            collector.thread.start();
            return collector;
        }

        @Override
        public void run() {
            try (InputStream input = stream) {
                bytes = input.readAllBytes();
            } catch (IOException e) {
                failure = e;
            }
        }

        /** Waits until the stream ends or the deadline ({@link System#nanoTime}) passes; false on the latter. */
        boolean finish(long deadline) throws InterruptedException, IOException {
            long remaining = deadline - System.nanoTime();
            if (remaining > 0) {
                TimeUnit.NANOSECONDS.timedJoin(thread, remaining);
            }
            if (thread.isAlive()) {
                try {
                    stream.close();
                } catch (IOException e) {
                    // giving up on this stream anyway
                }
                return false;
            }
            if (failure != null) {
                throw failure;
            }
            return true;
        }

        byte[] bytes() {
            return bytes;
        }
    }
}
