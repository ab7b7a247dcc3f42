/* Warm-up and repeated timing shared by the C peers of compare.sh; each peer prints the lines compare.sh reads:
 *   measure <source> <name> <median seconds per operation> runs=<timed runs>
 * Budgets match the Crossbar driver: BENCH_WARMUP_SECONDS (default 1) of warm-up, then runs until
 * BENCH_MEASURE_SECONDS (default 2) have passed and at least 3 runs were timed (or 3 budgets passed). */
#ifndef CROSSBAR_PEER_TIMING_H
#define CROSSBAR_PEER_TIMING_H

#include <stdio.h>
#include <stdlib.h>
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

/* Times run(state) and prints its measure line. */
static void peer_measure(const char *source, const char *name, void (*run)(void *), void *state) {
    double warmup = peer_budget("BENCH_WARMUP_SECONDS", 1), budget = peer_budget("BENCH_MEASURE_SECONDS", 2);
    double start = peer_now();
    do {
        run(state);
    } while (peer_now() - start < warmup);
    int capacity = 1024, runs = 0;
    double *times = malloc(capacity * sizeof(double));
    double measure_start = peer_now(), elapsed;
    do {
        double t0 = peer_now();
        run(state);
        double t1 = peer_now();
        if (runs == capacity) {
            capacity *= 2;
            times = realloc(times, capacity * sizeof(double));
        }
        times[runs++] = t1 - t0;
        elapsed = t1 - measure_start;
    } while (elapsed < budget || (runs < 3 && elapsed < 3 * budget));
    qsort(times, runs, sizeof(double), peer_compare);
    double median = runs % 2 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
    printf("measure %s %s %.6e runs=%d\n", source, name, median, runs);
    fflush(stdout);
    free(times);
}

#endif
