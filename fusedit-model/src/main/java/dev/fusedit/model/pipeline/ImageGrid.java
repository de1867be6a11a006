package dev.fusedit.model.pipeline;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Lays images out as rows × cols on a white sheet with a margin around every cell, optionally with
 * a caption under each image (wrapped to the cell width, at most {@link #MAX_CAPTION_LINES} lines).
 * All drawing is off-screen (AWT in headless mode), so this works on machines without a display.
 */
public final class ImageGrid {
    static final int MAX_CAPTION_LINES = 3;

    private ImageGrid() {}

    /**
     * The grid of {@code images} (row-major, at most rows·cols of them, all of one size). captions
     * is null for none, else one entry (possibly empty) per image.
     */
    public static BufferedImage compose(List<BufferedImage> images, int rows, int cols, int margin, List<String> captions) {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("a grid needs rows >= 1 and cols >= 1, got " + rows + " x " + cols);
        if (margin < 0) throw new IllegalArgumentException("margin must be >= 0, got " + margin);
        if (images.isEmpty() || images.size() > rows * cols)
            throw new IllegalArgumentException("a " + rows + " x " + cols + " grid holds 1 to " + rows * cols + " images, got " + images.size());
        if (captions != null && captions.size() != images.size())
            throw new IllegalArgumentException("expected one caption per image (" + images.size() + "), got " + captions.size());
        int w = images.get(0).getWidth(), h = images.get(0).getHeight();
        for (int i = 0; i < images.size(); i++)
            if (images.get(i).getWidth() != w || images.get(i).getHeight() != h)
                throw new IllegalArgumentException("grid images must all be " + w + "x" + h + ", image " + i + " is "
                        + images.get(i).getWidth() + "x" + images.get(i).getHeight());

        Headless.ensure();
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(10, Math.min(20, w / 24)));
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics metrics = pg.getFontMetrics(font);
        pg.dispose();
        List<List<String>> lines = new ArrayList<>();
        int captionLines = 0;
        if (captions != null)
            for (String c : captions) {
                List<String> l = wrap(c == null ? "" : c, metrics, w);
                lines.add(l);
                captionLines = Math.max(captionLines, l.size());
            }
        int captionHeight = captionLines == 0 ? 0 : captionLines * metrics.getHeight() + margin / 2;
        int cellW = w + margin, cellH = h + captionHeight + margin;

        BufferedImage sheet = new BufferedImage(cols * cellW + margin, rows * cellH + margin, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(font);
            g.setColor(Color.BLACK);
            for (int i = 0; i < images.size(); i++) {
                int x = margin + (i % cols) * cellW, y = margin + (i / cols) * cellH;
                g.drawImage(images.get(i), x, y, null);
                if (captions == null) continue;
                int baseline = y + h + margin / 2 + metrics.getAscent();
                for (String line : lines.get(i)) {
                    g.drawString(line, x, baseline);
                    baseline += metrics.getHeight();
                }
            }
        } finally {
            g.dispose();
        }
        return sheet;
    }

    /**
     * Generated images as a grid of {@code rows} × {@code cols}, each enlarged (nearest neighbour,
     * so pixels stay sharp) to about {@code cellSize} pixels wide and captioned with its prompt and seed.
     */
    public static BufferedImage ofGenerated(List<GeneratedImage> images, int rows, int cols, int cellSize) {
        int scale = Math.max(1, cellSize / images.getFirst().image().width());
        List<BufferedImage> cells = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (GeneratedImage g : images) {
            cells.add(enlarge(g.image().toBufferedImage(), scale));
            captions.add(g.prompt() + " (seed " + g.seed() + ")");
        }
        return compose(cells, rows, cols, 8, captions);
    }

    /** The image scaled up by a whole factor with nearest-neighbour sampling (pixels stay sharp). */
    public static BufferedImage enlarge(BufferedImage img, int scale) {
        if (scale == 1) return img;
        BufferedImage big = new BufferedImage(img.getWidth() * scale, img.getHeight() * scale, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = big.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.drawImage(img, 0, 0, big.getWidth(), big.getHeight(), null);
        } finally {
            g.dispose();
        }
        return big;
    }

    /** Greedy word wrap to {@code width} pixels; an over-long last line or word ends in "…". */
    static List<String> wrap(String text, FontMetrics m, int width) {
        List<String> out = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.trim().split("\\s+")) {
            if (word.isEmpty()) continue;
            String candidate = line.isEmpty() ? word : line + " " + word;
            if (m.stringWidth(candidate) <= width || line.isEmpty()) {
                line.setLength(0);
                line.append(candidate);
                continue;
            }
            out.add(line.toString());
            line.setLength(0);
            line.append(word);
        }
        if (!line.isEmpty()) out.add(line.toString());
        boolean cut = out.size() > MAX_CAPTION_LINES;
        List<String> kept = new ArrayList<>(out.subList(0, Math.min(out.size(), MAX_CAPTION_LINES)));
        for (int i = 0; i < kept.size(); i++) {
            boolean last = i == kept.size() - 1;
            if (m.stringWidth(kept.get(i)) > width || (last && cut)) kept.set(i, ellipsize(kept.get(i), m, width));
        }
        return kept;
    }

    private static String ellipsize(String s, FontMetrics m, int width) {
        String t = s;
        while (!t.isEmpty() && m.stringWidth(t + "…") > width) t = t.substring(0, t.length() - 1);
        return t + "…";
    }
}
