package dev.fusedit.model.pipeline;

import dev.fusedit.tensor.io.AtomicFiles;
import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes PNG files atomically: into a temporary file beside the target, then moved over it, so a
 * reader never sees half an image and an interrupted run leaves no broken file.
 */
public final class PngWriter {
    private PngWriter() {}

    public static void write(BufferedImage image, Path file) throws IOException {
        Headless.ensure();
        AtomicFiles.write(file, tmp -> {
            boolean written;
            try {
                written = ImageIO.write(image, "png", tmp.toFile());
            } catch (IOException e) {
                // ImageIO says only "I/O error writing PNG file!"; the reason (a full disk) is in its cause
                throw new IOException(file + ": cannot be written (" + rootReason(e) + ")", e);
            }
            if (!written) throw new IOException(file + ": no PNG writer is available in this JDK");
        });
    }

    private static String rootReason(Throwable e) {
        String reason = e.getMessage();
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) if (c.getMessage() != null) reason = c.getMessage();
        return reason;
    }
}
