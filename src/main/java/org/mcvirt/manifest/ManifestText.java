package org.mcvirt.manifest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a manifest file as UTF-8, saying where it is not UTF-8 instead of Java's "Input length = 1". */
final class ManifestText {
    /** A manifest that is not valid UTF-8; its message is "not valid UTF-8 at byte N (...)". */
    static final class NotUtf8Exception extends IOException {
        private final transient Location location;

        NotUtf8Exception(Location location, String message) {
            super(message);
            this.location = location;
        }

        Location location() {
            return location;
        }
    }

    private ManifestText() {
    }

    static String read(Path file) throws IOException {
        return decode(file.toString(), Files.readAllBytes(file));
    }

    /** The text of bytes read from file; the first malformed byte is named by its 0-based offset, line and column. */
    static String decode(String file, byte[] bytes) throws NotUtf8Exception {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int offset = in.position();
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < offset; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            int column = new String(bytes, lineStart, offset - lineStart, StandardCharsets.UTF_8).length() + 1;
            throw new NotUtf8Exception(new Location(file, line, column), "not valid UTF-8 at byte " + offset
                    + " (save the manifest as UTF-8)");
        }
        out.flip();
        return out.toString();
    }
}
