package org.mcvirt.node.ssh;

import java.util.List;
import java.util.Optional;

/**
 * Runs programs and reads and writes files on one node, either over SSH ({@link SshTransport}) or on the machine
 * mcvirt runs on ({@link LocalTransport}). Commands are argument lists, never shell text. Implementations are safe
 * for concurrent use.
 */
public interface NodeTransport extends AutoCloseable {

    /** The node's name in the manifest. */
    String nodeName();

    /**
     * Runs a program and waits for it, capturing all of its output. A non-zero exit status is returned, not
     * thrown; a program that cannot be found yields status 127, as from a shell.
     *
     * @param command the program and its arguments
     * @throws SshException TIMEOUT when it ran longer than the command timeout (it is killed), or a connection
     *                      category when the node could not be reached
     */
    CommandResult run(List<String> command) throws SshException;

    /**
     * As {@link #run(List)}, bounded by timeout instead of the transport's command timeout: for one long command (a
     * SHA-256 or a copy of a multi-GiB image) within its step's deadline. Transports without their own bound run it as
     * run does.
     */
    default CommandResult run(List<String> command, java.time.Duration timeout) throws SshException {
        return run(command);
    }

    /** Where the node is reached, for messages: {@code host:port}, or {@code local}. */
    String endpoint();

    /**
     * Like {@link #run} but requires exit status 0.
     *
     * @return the command's standard output
     * @throws SshException COMMAND_FAILED naming the command, its exit status and its standard error
     */
    default String runChecked(List<String> command) throws SshException {
        CommandResult result = run(command);
        if (!result.succeeded()) {
            throw new SshException(SshException.Category.COMMAND_FAILED, nodeName(), endpoint(),
                    result.failureDetail(ShellQuoting.commandLine(command)), null);
        }
        return result.stdout();
    }

    /**
     * Replaces a file so that readers see either the old or the new content, never a part: the content goes to a
     * temporary file in the same directory, gets the mode, and is then renamed over the target.
     *
     * @param path    absolute path of the file
     * @param content the complete new content
     * @param mode    octal permission bits, such as {@code 0640}
     */
    void writeFileAtomically(String path, byte[] content, String mode) throws SshException;

    /**
     * The content of a file, or empty when it does not exist.
     *
     * @param path absolute path of the file
     */
    Optional<byte[]> readFile(String path) throws SshException;

    /** Releases the connection, if any. Further calls fail. */
    @Override
    void close();
}
