package dev.fusedit.training.progress;

import dev.fusedit.model.pipeline.PngWriter;

import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Composite;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A line chart drawn with Java2D (headless), for the PNGs the tools write beside their numbers:
 * the trainer's loss.png ({@link LossCurve}) and a study's score and clutter against training
 * minutes. Each series is a line (or only markers), optionally with a shaded band (a spread over
 * seeds); named series get a legend entry. The y axis can be log-scaled.
 */
public final class LinePlot {
    /** A series: points (x, y), a band low..high per point (null for none), line width (0: no line), markers. */
    public record Series(String name, Color color, double[] x, double[] y, double[] low, double[] high, float width, boolean markers) {
        public Series {
            if (x.length != y.length || (low != null && low.length != x.length) || (high != null && high.length != x.length))
                throw new IllegalArgumentException("a series needs as many y (and band) values as x values, got " + x.length + " and " + y.length);
            if ((low == null) != (high == null)) throw new IllegalArgumentException("a band needs both its low and its high values");
        }

        /** A plain line. */
        public static Series line(String name, Color color, double[] x, double[] y, float width) {
            return new Series(name, color, x, y, null, null, width, false);
        }
    }

    /** Colours told apart at a glance, for series that have no colour of their own. */
    public static final List<Color> PALETTE = List.of(new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44),
            new Color(255, 127, 14), new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194), new Color(23, 190, 207));

    private static final int LEFT = 70, RIGHT = 20, TOP = 38, BOTTOM = 45;

    private final String title, xLabel, yLabel;
    private final boolean logY;
    private final List<Series> series = new ArrayList<>();
    private boolean includeZero;

    public LinePlot(String title, String xLabel, String yLabel, boolean logY) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logY = logY;
    }

    /** Extends both axes to 0 (a score or a count against training time, read from the origin); a log axis stays as it is. */
    public LinePlot includeZero() {
        this.includeZero = true;
        return this;
    }

    public LinePlot add(Series s) {
        series.add(s);
        return this;
    }

    /** Writes the chart as a PNG (atomically). */
    public void write(Path png, int width, int height) throws IOException {
        PngWriter.write(draw(width, height), png);
    }

    public BufferedImage draw(int w, int h) {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(title, LEFT, 16);
            double[] range = range();
            if (range == null) return img;
            double x0 = range[0], x1 = range[1], y0 = range[2], y1 = range[3];
            int pw = w - LEFT - RIGHT, ph = h - TOP - BOTTOM;
            g.drawRect(LEFT, TOP, pw, ph);
            for (int k = 0; k <= 4; k++) {
                double v = y0 + (y1 - y0) * k / 4;
                int y = TOP + ph - (int) (ph * k / 4.0);
                g.drawString(tick(logY ? Math.pow(10, v) : v), 5, y + 4);
                String x = tick(x0 + (x1 - x0) * k / 4);
                int tw = g.getFontMetrics().stringWidth(x);
                g.drawString(x, Math.min(w - tw - 2, LEFT + pw * k / 4 - tw / 2), h - BOTTOM + 18);
            }
            g.drawString(xLabel, LEFT + pw / 2 - g.getFontMetrics().stringWidth(xLabel) / 2, h - 8);
            g.drawString(yLabel, 5, TOP - 6);
            Mapper at = new Mapper(x0, x1, y0, y1, pw, ph);
            for (Series s : series) if (s.low() != null) drawBand(g, s, at);
            for (Series s : series) drawSeries(g, s, at);
            drawLegend(g, w);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Pixel positions of data points in the plot area. */
    private record Mapper(double x0, double x1, double y0, double y1, int pw, int ph) {
        int px(double x) {
            return LEFT + (int) Math.round(pw * (x - x0) / (x1 - x0));
        }

        int py(double v) {
            return TOP + ph - (int) Math.round(ph * (v - y0) / (y1 - y0));
        }
    }

    private double value(double y) {
        return logY ? Math.log10(y) : y;
    }

    private boolean usable(double y) {
        return Double.isFinite(y) && (!logY || y > 0);
    }

    /** {x0, x1, y0, y1} over every drawable point and band, or null when there is none. */
    private double[] range() {
        double x0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y0 = Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
        boolean any = false;
        for (Series s : series)
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isFinite(s.x()[i]) || !usable(s.y()[i])) continue;
                any = true;
                x0 = Math.min(x0, s.x()[i]);
                x1 = Math.max(x1, s.x()[i]);
                for (double y : s.low() == null ? new double[] {s.y()[i]} : new double[] {s.y()[i], s.low()[i], s.high()[i]})
                    if (usable(y)) {
                        y0 = Math.min(y0, value(y));
                        y1 = Math.max(y1, value(y));
                    }
            }
        if (!any) return null;
        if (includeZero) {
            x0 = Math.min(x0, 0);
            x1 = Math.max(x1, 0);
            if (!logY) {
                y0 = Math.min(y0, 0);
                y1 = Math.max(y1, 0);
            }
        }
        if (x1 - x0 < 1e-9) { x0 -= 0.5; x1 += 0.5; }
        if (y1 - y0 < 1e-6) { y0 -= 0.5; y1 += 0.5; }
        return new double[] {x0, x1, y0, y1};
    }

    private void drawBand(Graphics2D g, Series s, Mapper at) {
        List<int[]> upper = new ArrayList<>(), lower = new ArrayList<>();
        for (int i = 0; i < s.x().length; i++) {
            if (!Double.isFinite(s.x()[i]) || !usable(s.low()[i]) || !usable(s.high()[i])) continue;
            upper.add(new int[] {at.px(s.x()[i]), at.py(value(s.high()[i]))});
            lower.add(new int[] {at.px(s.x()[i]), at.py(value(s.low()[i]))});
        }
        int n = upper.size();
        if (n == 0) return;
        int[] px = new int[2 * n], py = new int[2 * n];
        for (int i = 0; i < n; i++) {
            px[i] = upper.get(i)[0];
            py[i] = upper.get(i)[1];
            px[2 * n - 1 - i] = lower.get(i)[0];
            py[2 * n - 1 - i] = lower.get(i)[1];
        }
        Composite before = g.getComposite();
        g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.2f));
        g.setColor(s.color());
        g.fillPolygon(px, py, 2 * n);
        if (n == 1) g.fillRect(px[0] - 2, py[0], 4, Math.max(1, py[1] - py[0])); // one point: its spread as a bar
        g.setComposite(before);
    }

    private void drawSeries(Graphics2D g, Series s, Mapper at) {
        List<int[]> pts = new ArrayList<>();
        for (int i = 0; i < s.x().length; i++)
            if (Double.isFinite(s.x()[i]) && usable(s.y()[i])) pts.add(new int[] {at.px(s.x()[i]), at.py(value(s.y()[i]))});
        g.setColor(s.color());
        if (s.width() > 0 && pts.size() > 1) {
            g.setStroke(new BasicStroke(s.width()));
            g.drawPolyline(pts.stream().mapToInt(p -> p[0]).toArray(), pts.stream().mapToInt(p -> p[1]).toArray(), pts.size());
            g.setStroke(new BasicStroke(1f));
        }
        if (s.markers()) for (int[] p : pts) g.fillOval(p[0] - 3, p[1] - 3, 6, 6);
    }

    private void drawLegend(Graphics2D g, int w) {
        List<Series> named = series.stream().filter(s -> s.name() != null && !s.name().isEmpty()).toList();
        if (named.isEmpty()) return;
        int widest = named.stream().mapToInt(s -> g.getFontMetrics().stringWidth(s.name())).max().orElse(0);
        g.setColor(new Color(255, 255, 255, 210));
        g.fillRect(w - RIGHT - 10 - widest - 28, TOP + 4, widest + 34, 16 * named.size() + 4);
        int y = TOP + 16;
        for (Series s : named) {
            int tw = g.getFontMetrics().stringWidth(s.name());
            int x = w - RIGHT - 10 - tw - 22;
            g.setColor(s.color());
            g.fillRect(x, y - 8, 16, 6);
            g.setColor(Color.BLACK);
            g.drawString(s.name(), x + 22, y);
            y += 16;
        }
    }

    /** An axis label: whole numbers from 100 up, three significant digits below. */
    static String tick(double v) {
        return Math.abs(v) >= 100 ? String.format("%.0f", v) : String.format("%.3g", v);
    }
}
