package org.vfmtok.vfmtok.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vfmtok.tensor.io.Json;
import org.vfmtok.vfmtok.image.ImageFiles;

/** PNG pictures of a run, drawn with Java2D: loss curves from metrics.jsonl and grids of images. */
public final class Plots {
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};

    private Plots() {}

    /** Every numeric series of a metrics.jsonl by key, as (step, value) pairs; unparsable lines are skipped. */
    public static Map<String, List<double[]>> readMetrics(Path metrics) throws IOException {
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        if (!Files.exists(metrics)) return series;
        for (String line : Files.readAllLines(metrics)) {
            if (line.isBlank()) continue;
            Object o;
            try {
                o = Json.parse(line);
            } catch (Json.JsonException e) {
                continue;
            }
            if (!(o instanceof Map<?, ?> m) || !(m.get("step") instanceof Number step)) continue;
            m.forEach((k, v) -> {
                if (v instanceof Number n && !"step".equals(k)) series.computeIfAbsent(k.toString(), x -> new ArrayList<>()).add(new double[] {step.doubleValue(), n.doubleValue()});
            });
        }
        return series;
    }

    /**
     * Draws the chosen series (log-scale y, raw values faint and a moving average solid) into a PNG. Keys that
     * are absent are ignored; returns false when there is nothing to draw.
     */
    public static boolean lossCurve(Path metrics, Path png, String title, List<String> keys) throws IOException {
        Map<String, List<double[]>> all = readMetrics(metrics);
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (String k : keys) if (all.containsKey(k) && !all.get(k).isEmpty()) series.put(k, all.get(k));
        if (series.isEmpty()) return false;
        int w = 900, h = 500, left = 80, right = 170, top = 40, bottom = 50;
        double x0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y0 = Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
        for (List<double[]> s : series.values()) {
            for (double[] p : s) {
                if (!(p[1] > 0)) continue;
                x0 = Math.min(x0, p[0]);
                x1 = Math.max(x1, p[0]);
                y0 = Math.min(y0, Math.log10(p[1]));
                y1 = Math.max(y1, Math.log10(p[1]));
            }
        }
        if (x0 > x1) return false;
        if (x1 == x0) x1 = x0 + 1;
        y0 = Math.floor(y0 * 2) / 2;
        y1 = Math.ceil(y1 * 2) / 2;
        if (y1 == y0) y1 = y0 + 0.5;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int pw = w - left - right, ph = h - top - bottom;
        g.setColor(new Color(0xEEEEEE));
        for (double ly = y0; ly <= y1 + 1e-9; ly += 0.5) {
            int py = top + (int) ((y1 - ly) / (y1 - y0) * ph);
            g.drawLine(left, py, left + pw, py);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.3g", Math.pow(10, ly)), 8, py + 4);
            g.setColor(new Color(0xEEEEEE));
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(left, top, pw, ph);
        for (int i = 0; i <= 5; i++) {
            double sx = x0 + (x1 - x0) * i / 5;
            int px = left + (int) ((sx - x0) / (x1 - x0) * pw);
            g.drawLine(px, top + ph, px, top + ph + 5);
            g.drawString(String.format(Locale.ROOT, "%.0f", sx), px - 10, top + ph + 20);
        }
        g.drawString("step", left + pw / 2 - 10, h - 12);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, left, 25);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int c = 0;
        for (var e : series.entrySet()) {
            Color col = PALETTE[c % PALETTE.length];
            List<double[]> s = e.getValue();
            int window = Math.max(1, s.size() / 30);
            g.setColor(new Color(col.getRed(), col.getGreen(), col.getBlue(), 60));
            g.setStroke(new BasicStroke(1f));
            polyline(g, s, x0, x1, y0, y1, left, top, pw, ph, 1);
            g.setColor(col);
            g.setStroke(new BasicStroke(2f));
            polyline(g, s, x0, x1, y0, y1, left, top, pw, ph, window);
            g.fillRect(left + pw + 15, top + 10 + 20 * c, 12, 12);
            g.setColor(Color.DARK_GRAY);
            g.drawString(e.getKey(), left + pw + 32, top + 21 + 20 * c);
            c++;
        }
        g.dispose();
        ImageFiles.writePng(img, png);
        return true;
    }

    private static void polyline(Graphics2D g, List<double[]> s, double x0, double x1, double y0, double y1, int left, int top, int pw, int ph, int window) {
        int prevX = -1, prevY = -1;
        double sum = 0;
        int count = 0;
        ArrayList<Double> buf = new ArrayList<>();
        for (double[] p : s) {
            if (!(p[1] > 0)) continue;
            buf.add(p[1]);
            sum += p[1];
            count++;
            if (count > window) sum -= buf.get(count - window - 1);
            double v = sum / Math.min(count, window);
            int px = left + (int) ((p[0] - x0) / (x1 - x0) * pw);
            int py = top + (int) ((y1 - Math.log10(v)) / (y1 - y0) * ph);
            if (prevX >= 0) g.drawLine(prevX, prevY, px, py);
            prevX = px;
            prevY = py;
        }
    }

    /**
     * A grid of planar RGB images in [-1, 1] ({@code rows}×{@code cols}, each side² per channel), each pixel
     * repeated {@code zoom} times, with a 2-pixel gap; optional row labels are drawn on a left margin.
     */
    public static BufferedImage grid(List<float[]> images, int side, int rows, int cols, int zoom, List<String> rowLabels) {
        int cell = side * zoom, gap = 2, margin = rowLabels == null ? 0 : 110;
        int w = margin + cols * (cell + gap) + gap, h = rows * (cell + gap) + gap;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int plane = side * side;
        for (int i = 0; i < images.size() && i < rows * cols; i++) {
            float[] im = images.get(i);
            int ox = margin + gap + (i % cols) * (cell + gap), oy = gap + (i / cols) * (cell + gap);
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    int p = y * side + x;
                    int rgb = (toU8(im[p]) << 16) | (toU8(im[plane + p]) << 8) | toU8(im[2 * plane + p]);
                    for (int dy = 0; dy < zoom; dy++) for (int dx = 0; dx < zoom; dx++) img.setRGB(ox + x * zoom + dx, oy + y * zoom + dy, rgb);
                }
            }
        }
        if (rowLabels != null) {
            g.setColor(Color.DARK_GRAY);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int r = 0; r < rows && r < rowLabels.size(); r++) g.drawString(rowLabels.get(r), 4, gap + r * (cell + gap) + cell / 2 + 4);
        }
        g.dispose();
        return img;
    }

    /** [-1, 1] → 0..255 as decode_codes_to_img does (x·127.5 + 128, clamp, truncate). */
    public static int toU8(float v) { return (int) Math.max(0, Math.min(255, v * 127.5 + 128)); }
}
