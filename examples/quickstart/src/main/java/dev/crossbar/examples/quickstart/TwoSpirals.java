package dev.crossbar.examples.quickstart;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Points on two interleaved spirals, labelled by spiral: a data set no straight line separates. Each point sits at a
 * uniformly drawn position along its arm, 1.5 turns long, with Gaussian noise; the points are drawn in random order,
 * so the first part of the set is a fair training split and the rest a fair held-out split.
 *
 * @param features {@code [count, 2]} coordinates, row-major
 * @param labels the spiral of each point, 0 or 1
 */
record TwoSpirals(float[] features, int[] labels) {
    private static final double TURNS = 1.5;
    private static final double NOISE = 0.03;

    /**
     * Draws a data set.
     *
     * @param count the number of points
     * @param seed the random seed
     * @return the points and labels
     */
    static TwoSpirals generate(int count, long seed) {
        if (count < 2) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "two spirals need at least 2 points, got %d", count));
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[] features = new float[2 * count];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            int spiral = random.nextInt(2);
            double along = random.nextDouble(0.05, 1.0);
            double angle = along * TURNS * 2 * Math.PI + spiral * Math.PI;
            features[2 * i] = (float) (along * Math.cos(angle) + NOISE * gaussian(random));
            features[2 * i + 1] = (float) (along * Math.sin(angle) + NOISE * gaussian(random));
            labels[i] = spiral;
        }
        return new TwoSpirals(features, labels);
    }

    /** A standard normal draw by the Box-Muller transform. */
    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /**
     * Returns the number of points.
     *
     * @return the count
     */
    int size() {
        return labels.length;
    }

    /**
     * Returns the points {@code [from, to)}.
     *
     * @param from the first point
     * @param to the point after the last
     * @return the slice
     */
    TwoSpirals slice(int from, int to) {
        return new TwoSpirals(Arrays.copyOfRange(features, 2 * from, 2 * to), Arrays.copyOfRange(labels, from, to));
    }
}
