/* OpenBLAS cblas_sgemm peer of compare.sh: row-major C = A x B for each shape argument, "N" (square) or "MxKxN".
 * Threads: OPENBLAS_NUM_THREADS. Prints "measure openblas mm_f32_<shape> <seconds> runs=<n>". */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "timing.h"

struct product {
    int m, k, n;
    float *a, *b, *c;
};

static void multiply(void *state) {
    struct product *p = state;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, p->m, p->n, p->k, 1.0f, p->a, p->k, p->b, p->n, 0.0f, p->c, p->n);
}

static float *random_matrix(long elements) {
    float *x = malloc(elements * sizeof(float));
    if (x == NULL) {
        fprintf(stderr, "openblas_sgemm: out of memory for %ld floats\n", elements);
        exit(1);
    }
    for (long i = 0; i < elements; i++) {
        x[i] = (float) rand() / RAND_MAX - 0.5f;
    }
    return x;
}

int main(int argc, char **argv) {
    printf("info openblas %s core=%s threads=%d\n", openblas_get_config(), openblas_get_corename(), openblas_get_num_threads());
    for (int i = 1; i < argc; i++) {
        struct product p;
        if (sscanf(argv[i], "%dx%dx%d", &p.m, &p.k, &p.n) != 3) {
            if (sscanf(argv[i], "%d", &p.m) != 1) {
                fprintf(stderr, "openblas_sgemm: shape '%s' is neither N nor MxKxN\n", argv[i]);
                return 2;
            }
            p.k = p.n = p.m;
        }
        p.a = random_matrix((long) p.m * p.k);
        p.b = random_matrix((long) p.k * p.n);
        p.c = random_matrix((long) p.m * p.n);
        char name[64];
        snprintf(name, sizeof name, "mm_f32_%s", argv[i]);
        peer_measure("openblas", name, multiply, &p);
        free(p.a);
        free(p.b);
        free(p.c);
    }
    return 0;
}
