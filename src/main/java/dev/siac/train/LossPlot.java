package dev.siac.train;

import dev.siac.eval.Charts;
import dev.siac.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import java.util.Locale;

/** The loss curve PNG written beside the metrics log: training loss (smoothed) and energy removed against step. */
public final class LossPlot {
    private LossPlot() {}

    /** A training step's numbers on the curve. */
    public record Point(double step, double loss, double energyRemoved) {}

    /** A validation's mel_l1 at a step. */
    public record ValidationPoint(double step, double melL1) {}

    public static void write(Path png, List<Point> points, List<ValidationPoint> validation) throws IOException {
        int w = 900, h = 520, left = 70, right = 70, top = 40, bottom = 50;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawRect(left, top, w - left - right, h - top - bottom);
        g.drawString("siac training: energy removed (blue, left axis, smoothed), validation mel_l1 (red, right axis)", left, 22);
        if (!points.isEmpty()) {
            double maxStep = Math.max(1, points.get(points.size() - 1).step());
            double[] er = smooth(points.stream().mapToDouble(Point::energyRemoved).toArray());
            double lo = 0, hi = 0.05;
            for (double v : er) hi = Math.max(hi, v);
            for (double v : er) lo = Math.min(lo, v);
            g.setColor(new Color(40, 90, 200));
            g.setStroke(new BasicStroke(1.6f));
            plot(g, points.stream().mapToDouble(Point::step).toArray(), er, maxStep, lo, hi, left, top, w - left - right, h - top - bottom);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.3f", hi), 8, top + 10);
            g.drawString(String.format(Locale.ROOT, "%.3f", lo), 8, h - bottom);
            int pw = w - left - right;
            for (double step : Charts.linearTicks(0, maxStep, 8)) {
                int x = left + (int) Math.round(step / maxStep * pw);
                String label = Charts.label(step, 0);
                g.drawLine(x, h - bottom, x, h - bottom + 4);
                g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, h - bottom + 18);
            }
            g.drawString("step", w - right + 6, h - bottom + 18);
            if (!validation.isEmpty()) {
                double vlo = Double.MAX_VALUE, vhi = -Double.MAX_VALUE;
                for (ValidationPoint v : validation) {
                    vlo = Math.min(vlo, v.melL1());
                    vhi = Math.max(vhi, v.melL1());
                }
                if (vhi - vlo < 1e-6) {
                    vhi += 0.05;
                    vlo -= 0.05;
                }
                g.setColor(new Color(200, 50, 40));
                plot(g, validation.stream().mapToDouble(ValidationPoint::step).toArray(),
                        validation.stream().mapToDouble(ValidationPoint::melL1).toArray(), maxStep, vlo, vhi, left, top,
                        w - left - right, h - top - bottom);
                g.drawString(String.format(Locale.ROOT, "%.3f", vhi), w - right + 6, top + 10);
                g.drawString(String.format(Locale.ROOT, "%.3f", vlo), w - right + 6, h - bottom);
            }
        }
        g.dispose();
        AtomicFiles.write(png, tmp -> {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException(png + ": no PNG writer in this JVM");
        });
    }

    private static double[] smooth(double[] ys) {
        double[] out = new double[ys.length];
        double ema = ys[0];
        for (int i = 0; i < out.length; i++) {
            ema = 0.95 * ema + 0.05 * ys[i];
            out[i] = i < 20 ? ys[i] : ema;
        }
        return out;
    }

    private static void plot(Graphics2D g, double[] steps, double[] ys, double maxStep, double lo, double hi,
                             int x0, int y0, int w, int h) {
        int px = -1, py = -1;
        for (int i = 0; i < ys.length; i++) {
            int x = x0 + (int) Math.round(steps[i] / maxStep * w);
            int y = y0 + h - (int) Math.round((ys[i] - lo) / (hi - lo) * h);
            if (px >= 0) g.drawLine(px, py, x, y);
            else g.fillOval(x - 2, y - 2, 4, 4);
            px = x;
            py = y;
        }
    }
}
