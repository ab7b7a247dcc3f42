/* Copy bandwidth peer of compare.sh: memcpy of 64 MiB (16M floats) split over THREADS threads (default 2), the
 * reference for elementwise and reduction work. One copy reads and writes 64 MiB each: the line
 * "measure memcpy copy_16M <seconds> runs=<n> bytes=134217728" counts both. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "timing.h"

#define ELEMENTS (1L << 24)

struct copy {
    int threads;
    float *source, *target;
    pthread_barrier_t start, done;
    int stopping;
};

struct worker {
    struct copy *copy;
    int index;
};

static void *copy_part(void *argument) {
    struct worker *w = argument;
    struct copy *c = w->copy;
    long part = ELEMENTS / c->threads;
    for (;;) {
        pthread_barrier_wait(&c->start);
        if (c->stopping) {
            return NULL;
        }
        memcpy(c->target + w->index * part, c->source + w->index * part, part * sizeof(float));
        pthread_barrier_wait(&c->done);
    }
}

static void copy_once(void *state) {
    struct copy *c = state;
    pthread_barrier_wait(&c->start);
    pthread_barrier_wait(&c->done);
}

int main(void) {
    struct copy c = {.threads = getenv("THREADS") != NULL ? atoi(getenv("THREADS")) : 2};
    if (c.threads < 1 || ELEMENTS % c.threads != 0) {
        fprintf(stderr, "memcpy_bandwidth: THREADS must divide %ld, got %d\n", ELEMENTS, c.threads);
        return 2;
    }
    c.source = malloc(ELEMENTS * sizeof(float));
    c.target = malloc(ELEMENTS * sizeof(float));
    if (c.source == NULL || c.target == NULL) {
        fprintf(stderr, "memcpy_bandwidth: out of memory\n");
        return 1;
    }
    for (long i = 0; i < ELEMENTS; i++) {
        c.source[i] = (float) i;
        c.target[i] = 0;
    }
    pthread_barrier_init(&c.start, NULL, c.threads + 1);
    pthread_barrier_init(&c.done, NULL, c.threads + 1);
    pthread_t threads[c.threads];
    struct worker workers[c.threads];
    for (int i = 0; i < c.threads; i++) {
        workers[i] = (struct worker) {&c, i};
        pthread_create(&threads[i], NULL, copy_part, &workers[i]);
    }
    peer_measure("memcpy", "copy_16M", copy_once, &c);
    printf("info memcpy copy_16M bytes=%ld threads=%d\n", 2 * ELEMENTS * (long) sizeof(float), c.threads);
    c.stopping = 1;
    pthread_barrier_wait(&c.start);
    for (int i = 0; i < c.threads; i++) {
        pthread_join(threads[i], NULL);
    }
    return 0;
}
