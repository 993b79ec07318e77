package org.mcvirt.model;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Resolves the DRBD shared secret from where the manifest points (a file on the machine running mcvirt, or an
 * environment variable). The value is only ever held in memory to be written into a resource file on a node; it is
 * never part of a plan, a journal, a log or a message (messages name the file or the variable, not the value).
 */
public final class Secrets {
    /** DRBD keeps at most 64 bytes of a shared secret. */
    static final int MAX_LENGTH = 64;

    private Secrets() {
    }

    /** The secret cannot be read or is not one DRBD can take. The message never contains the value. */
    public static final class SecretException extends Exception {
        private static final long serialVersionUID = 1L;

        SecretException(String message) {
            super(message);
        }
    }

    public static String resolve(DrbdSpec.SecretRef reference) throws SecretException {
        String value;
        String where;
        if (reference.file() != null) {
            Path file;
            try {
                file = Path.of(reference.file().startsWith("~/")
                        ? System.getProperty("user.home") + reference.file().substring(1) : reference.file());
            } catch (InvalidPathException e) {
                throw new SecretException("'" + reference.file().replace("\0", "\\u0000") + "' is not a valid file name");
            }
            where = "the file " + file;
            try {
                value = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (NoSuchFileException e) {
                throw new SecretException("cannot read " + where + ": no such file");
            } catch (AccessDeniedException e) {
                throw new SecretException("cannot read " + where + ": permission denied");
            } catch (CharacterCodingException e) {
                throw new SecretException("cannot read " + where + ": it is not UTF-8 text");
            } catch (IOException e) {
                throw new SecretException("cannot read " + where + ": " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + e.getMessage()));
            }
        } else {
            where = "the environment variable " + reference.environmentVariable();
            value = System.getenv(reference.environmentVariable());
            if (value == null) {
                throw new SecretException(where + " is not set");
            }
            value = value.strip();
        }
        if (value.isEmpty()) {
            throw new SecretException(where + " is empty");
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
            throw new SecretException("the secret in " + where + " is longer than DRBD's " + MAX_LENGTH + " bytes");
        }
        if (!value.chars().allMatch(c -> c >= 0x21 && c <= 0x7e && c != '"' && c != '\\')) {
            throw new SecretException("the secret in " + where + " may only hold printable ASCII characters without"
                    + " spaces, quotes or backslashes");
        }
        return value;
    }
}
