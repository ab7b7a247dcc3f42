package dev.crossbar.examples.fsdpdemo;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws the training loss per step, and its moving average, as a PNG with XChart (headless AWT). */
final class LossChart {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 540;

    private LossChart() {
    }

    /**
     * Writes the chart.
     *
     * @param file the PNG to write, replaced if it exists
     * @param losses the global training loss of every step
     * @param title the chart's title
     * @throws IOException if the file cannot be written
     */
    static void write(Path file, double[] losses, String title) throws IOException {
        int window = Math.max(1, losses.length / 40);
        double[] steps = new double[losses.length];
        double[] average = new double[losses.length];
        double sum = 0;
        for (int i = 0; i < losses.length; i++) {
            steps[i] = i + 1;
            sum += losses[i] - (i >= window ? losses[i - window] : 0);
            average[i] = sum / Math.min(i + 1, window);
        }
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("step").yAxisTitle("cross-entropy on the answer characters").build();
        chart.getStyler().setXAxisTickMarkSpacingHint(90);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        XYSeries raw = chart.addSeries("loss per step", steps, losses);
        raw.setMarker(SeriesMarkers.NONE);
        raw.setLineColor(new Color(150, 180, 220));
        XYSeries smooth = chart.addSeries(String.format(Locale.ROOT, "mean of the last %d steps", window), steps, average);
        smooth.setMarker(SeriesMarkers.NONE);
        smooth.setLineColor(new Color(20, 60, 160));
        Files.createDirectories(file.toAbsolutePath().getParent());
        // XChart 4 deprecates the single-chart saveBitmap for this grid form (one row, one column); it appends ".png"
        // unless the name already ends with it.
        BitmapEncoder.saveBitmap(List.of(chart), 1, 1, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
