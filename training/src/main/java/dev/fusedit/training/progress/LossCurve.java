package dev.fusedit.training.progress;

import com.fasterxml.jackson.databind.JsonNode;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** loss.png: the logged loss per step (light) and its moving average (dark), log-scaled. */
public final class LossCurve {
    private LossCurve() {}

    public static void write(List<JsonNode> records, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int w = 800, h = 400, left = 70, right = 20, top = 30, bottom = 45;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("training loss", left, 18);
        int n = records.size();
        double[] step = new double[n], loss = new double[n];
        int m = 0;
        for (JsonNode r : records) {
            double l = r.path("loss").asDouble(Double.NaN);
            if (!Double.isFinite(l) || l <= 0) continue;
            step[m] = r.path("step").asDouble();
            loss[m++] = Math.log10(l);
        }
        if (m >= 1) {
            double x0 = step[0], x1 = Math.max(step[m - 1], x0 + 1), y0 = Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
            for (int i = 0; i < m; i++) { y0 = Math.min(y0, loss[i]); y1 = Math.max(y1, loss[i]); }
            if (y1 - y0 < 1e-6) { y0 -= 0.5; y1 += 0.5; }
            int pw = w - left - right, ph = h - top - bottom;
            g.drawRect(left, top, pw, ph);
            for (int k = 0; k <= 4; k++) {
                double v = y0 + (y1 - y0) * k / 4;
                int y = top + ph - (int) (ph * k / 4.0);
                g.drawString(String.format("%.3g", Math.pow(10, v)), 5, y + 4);
                g.drawString(String.format("%.0f", x0 + (x1 - x0) * k / 4), left + pw * k / 4 - 10, h - bottom + 18);
            }
            g.drawString("step", left + pw / 2 - 10, h - 8);
            double smooth = loss[0];
            int[] px = new int[m], py = new int[m], sy = new int[m];
            for (int i = 0; i < m; i++) {
                smooth = i == 0 ? loss[0] : 0.9 * smooth + 0.1 * loss[i];
                px[i] = left + (int) (pw * (step[i] - x0) / (x1 - x0));
                py[i] = top + ph - (int) (ph * (loss[i] - y0) / (y1 - y0));
                sy[i] = top + ph - (int) (ph * (smooth - y0) / (y1 - y0));
            }
            g.setColor(new Color(150, 180, 230));
            g.drawPolyline(px, py, m);
            g.setColor(new Color(20, 60, 160));
            g.setStroke(new BasicStroke(2f));
            g.drawPolyline(px, sy, m);
        }
        g.dispose();
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
        ImageIO.write(img, "png", tmp.toFile());
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
