package dev.fusedit.training.progress;

import com.fasterxml.jackson.databind.JsonNode;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** loss.png: the logged loss per step (light) and its moving average (dark), log-scaled. */
public final class LossCurve {
    private LossCurve() {}

    public static void write(List<JsonNode> records, Path png) throws IOException {
        int n = records.size(), m = 0;
        double[] step = new double[n], loss = new double[n];
        for (JsonNode r : records) {
            double l = r.path("loss").asDouble(Double.NaN);
            if (!Double.isFinite(l) || l <= 0) continue;
            step[m] = r.path("step").asDouble();
            loss[m++] = l;
        }
        step = Arrays.copyOf(step, m);
        loss = Arrays.copyOf(loss, m);
        double[] smooth = new double[m];
        double logSmooth = 0;
        for (int i = 0; i < m; i++) {
            logSmooth = i == 0 ? Math.log10(loss[0]) : 0.9 * logSmooth + 0.1 * Math.log10(loss[i]);
            smooth[i] = Math.pow(10, logSmooth);
        }
        new LinePlot("training loss", "step", "", true)
                .add(LinePlot.Series.line(null, new Color(150, 180, 230), step, loss, 1f))
                .add(LinePlot.Series.line(null, new Color(20, 60, 160), step, smooth, 2f))
                .write(png, 800, 400);
    }
}
