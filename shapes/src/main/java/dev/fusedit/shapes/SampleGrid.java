package dev.fusedit.shapes;

import dev.fusedit.model.pipeline.RgbImage;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A contact sheet for people: images enlarged with nearest-neighbour scaling (so the pixels the
 * detector reads stay visible) in a grid, each with its caption wrapped underneath.
 * Draws with java.awt in headless mode; needs no display.
 */
public final class SampleGrid {
    private static final int PAD = 6, CAPTION_LINES = 3;

    private SampleGrid() {}

    public static BufferedImage draw(List<RgbImage> images, List<String> captions, int columns, int scale) {
        if (images.isEmpty() || images.size() != captions.size())
            throw new IllegalArgumentException("a grid needs as many captions as images (and at least one), got " + images.size() + " images and " + captions.size() + " captions");
        if (columns < 1 || scale < 1) throw new IllegalArgumentException("columns and scale must be positive, got " + columns + " and " + scale);
        System.setProperty("java.awt.headless", "true");
        int cellW = images.getFirst().width() * scale, imgH = images.getFirst().height() * scale;
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(9, scale * 3));
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fm = pg.getFontMetrics(font);
        pg.dispose();
        int lineH = fm.getHeight(), cellH = imgH + PAD + CAPTION_LINES * lineH;
        int rows = (images.size() + columns - 1) / columns;
        BufferedImage sheet = new BufferedImage(PAD + columns * (cellW + PAD), PAD + rows * (cellH + PAD), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setColor(new Color(40, 40, 40));
            g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(font);
            for (int i = 0; i < images.size(); i++) {
                int x = PAD + (i % columns) * (cellW + PAD), y = PAD + (i / columns) * (cellH + PAD);
                RgbImage img = images.get(i);
                g.drawImage(img.toBufferedImage(), x, y, img.width() * scale, img.height() * scale, null);
                String caption = captions.get(i).isEmpty() ? "(no caption)" : captions.get(i);
                g.setColor(captions.get(i).isEmpty() ? new Color(150, 150, 150) : Color.WHITE);
                List<String> lines = wrap(caption, fm, cellW);
                for (int l = 0; l < Math.min(CAPTION_LINES, lines.size()); l++)
                    g.drawString(lines.get(l), x, y + imgH + PAD + fm.getAscent() + l * lineH);
            }
        } finally {
            g.dispose();
        }
        return sheet;
    }

    /** Greedy word wrap to a pixel width. */
    private static List<String> wrap(String text, FontMetrics fm, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            String next = line.isEmpty() ? word : line + " " + word;
            if (!line.isEmpty() && fm.stringWidth(next) > width) {
                lines.add(line.toString());
                line.setLength(0);
                line.append(word);
            } else {
                line.setLength(0);
                line.append(next);
            }
        }
        if (!line.isEmpty()) lines.add(line.toString());
        return lines;
    }
}
