/* Warm-up and repeated timing shared by the C peers of compare.sh; each peer prints the lines compare.sh reads:
 *   measure <source> <name> <median seconds per operation> runs=<timed runs>
 *   measure <source> <name> <median seconds per operation> runs=<timed runs> warmup_seconds=<s> warmup_windows=<n> [unsettled]
 * Warm-up follows the Crossbar driver's rule (benchmarks/src/main/java/.../Warmup.java), on time only: windows of at least
 * BENCH_WINDOW_SECONDS (default 0.5) and two runs, until two consecutive windows' median times agree within 5% after at
 * least BENCH_WARMUP_SECONDS (default 1), or until BENCH_WARMUP_CAP_SECONDS (default 30) have passed (then a "note" line
 * says so and the measure line ends with "unsettled"). Then runs until BENCH_MEASURE_SECONDS (default 2) have passed
 * and at least 3 runs were timed (or 3 budgets passed). */
#ifndef CROSSBAR_PEER_TIMING_H
#define CROSSBAR_PEER_TIMING_H

#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <time.h>

static double peer_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double peer_budget(const char *variable, double fallback) {
    const char *value = getenv(variable);
    return value != NULL ? atof(value) : fallback;
}

static int peer_compare(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

#define PEER_TOLERANCE 0.05

/* Growable list of run times. */
struct peer_times {
    int count, capacity;
    double *values;
};

static void peer_add(struct peer_times *t, double value) {
    if (t->count == t->capacity) {
        t->capacity = t->capacity ? 2 * t->capacity : 1024;
        t->values = realloc(t->values, t->capacity * sizeof(double));
        if (t->values == NULL) {
            fprintf(stderr, "peer timing: out of memory for %d run times\n", t->capacity);
            exit(1);
        }
    }
    t->values[t->count++] = value;
}

static double peer_median(struct peer_times *t) {
    qsort(t->values, t->count, sizeof(double), peer_compare);
    return t->count % 2 ? t->values[t->count / 2] : (t->values[t->count / 2 - 1] + t->values[t->count / 2]) / 2;
}

/* One warm-up window: at least `seconds` and two runs; returns the median run time. */
static double peer_window(void (*run)(void *), void *state, double seconds) {
    struct peer_times t = {0};
    double start = peer_now();
    do {
        double t0 = peer_now();
        run(state);
        peer_add(&t, peer_now() - t0);
    } while (t.count < 2 || peer_now() - start < seconds);
    double median = peer_median(&t);
    free(t.values);
    return median;
}

/* Times run(state) and prints its measure line. */
static void peer_measure(const char *source, const char *name, void (*run)(void *), void *state) {
    double minimum = peer_budget("BENCH_WARMUP_SECONDS", 1), window = peer_budget("BENCH_WINDOW_SECONDS", 0.5);
    double cap = peer_budget("BENCH_WARMUP_CAP_SECONDS", 30), budget = peer_budget("BENCH_MEASURE_SECONDS", 2);
    double start = peer_now(), previous = -1, last = peer_window(run, state, window), warmed;
    int windows = 1, settled;
    for (;;) {
        warmed = peer_now() - start;
        settled = previous > 0 && fabs(last - previous) <= PEER_TOLERANCE * previous;
        if (settled && warmed >= minimum) {
            break;
        }
        if (warmed >= cap) {
            settled = 0;
            printf("note %s %s warm-up stopped at its cap of %.1f s before two consecutive windows agreed within %.0f%%"
                   " (last two: %.4g s/op, then %.4g s/op)\n", source, name, cap, 100 * PEER_TOLERANCE, previous, last);
            break;
        }
        previous = last;
        last = peer_window(run, state, window);
        windows++;
    }
    struct peer_times times = {0};
    double measure_start = peer_now(), elapsed;
    do {
        double t0 = peer_now();
        run(state);
        double t1 = peer_now();
        peer_add(&times, t1 - t0);
        elapsed = t1 - measure_start;
    } while (elapsed < budget || (times.count < 3 && elapsed < 3 * budget));
    printf("measure %s %s %.6e runs=%d warmup_seconds=%.1f warmup_windows=%d%s\n", source, name, peer_median(&times), times.count, warmed,
           windows, settled ? "" : " unsettled");
    fflush(stdout);
    free(times.values);
}

#endif
