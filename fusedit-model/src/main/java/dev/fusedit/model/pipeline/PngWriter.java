package dev.fusedit.model.pipeline;

import dev.fusedit.tensor.io.AtomicFiles;
import javax.imageio.ImageIO;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes PNG files atomically: into a temporary file beside the target, then moved over it, so a
 * reader never sees half an image and an interrupted run leaves no broken file.
 */
public final class PngWriter {
    private PngWriter() {}

    public static void write(BufferedImage image, Path file) throws IOException {
        byte[] png = encode(image);
        AtomicFiles.write(file, tmp -> {
            try {
                Files.write(tmp, png);
            } catch (IOException e) {
                // the message names the hidden temporary file; say which file could not be written, and why (a full disk)
                throw new IOException(file + ": cannot be written (" + rootReason(e) + ")", e);
            }
        });
    }

    /** The PNG file's bytes (what {@link #write} puts in the file). */
    public static byte[] encode(BufferedImage image) throws IOException {
        Headless.ensure();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // a memory cache: ImageIO's default for streams is a temporary file, which a full disk would fail
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            if (!ImageIO.write(image, "png", stream)) throw new IOException("no PNG writer is available in this JDK");
        }
        return out.toByteArray();
    }

    private static String rootReason(Throwable e) {
        String reason = e.getMessage();
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) if (c.getMessage() != null) reason = c.getMessage();
        return reason;
    }
}
