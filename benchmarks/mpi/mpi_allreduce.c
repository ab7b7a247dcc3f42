/*
 * The C side of benchmarks/mpi-allreduce.sh: float sum all-reduce with the MPI calls Crossbar's MPI process group
 * makes (MPI_Iallreduce, then MPI_Test until it completes) and its way of waiting (spin for 50 us, then yield the
 * core between tests, which matters on a machine shared with other jobs), on malloc'ed buffers. For each size given in bytes, rank 0
 * prints "c <bytes> <seconds per all-reduce>", the best of 5 timed loops after a warm-up loop.
 */
#include <mpi.h>
#include <stdio.h>
#include <sched.h>
#include <stdlib.h>

static double run(float *in, float *out, int count, int iterations) {
    MPI_Barrier(MPI_COMM_WORLD);
    double start = MPI_Wtime();
    for (int i = 0; i < iterations; i++) {
        MPI_Request request;
        int done = 0;
        MPI_Iallreduce(in, out, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &request);
        double waiting = MPI_Wtime();
        MPI_Test(&request, &done, MPI_STATUS_IGNORE);
        while (!done) {
            if (MPI_Wtime() - waiting > 50e-6) {
                sched_yield();
            }
            MPI_Test(&request, &done, MPI_STATUS_IGNORE);
        }
    }
    double elapsed = MPI_Wtime() - start;
    /* Every rank reports the slowest rank's time. */
    MPI_Allreduce(MPI_IN_PLACE, &elapsed, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return elapsed / iterations;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    for (int a = 1; a < argc; a++) {
        long bytes = atol(argv[a]);
        int count = (int) (bytes / sizeof(float));
        float *in = malloc(bytes);
        float *out = malloc(bytes);
        for (int i = 0; i < count; i++) {
            in[i] = (float) (rank + i % 7);
        }
        int iterations = (int) (1L << 30) / bytes;
        if (iterations < 8) {
            iterations = 8;
        }
        if (iterations > 20000) {
            iterations = 20000;
        }
        run(in, out, count, iterations / 4 + 1);
        double best = 1e30;
        for (int rep = 0; rep < 5; rep++) {
            double t = run(in, out, count, iterations);
            best = t < best ? t : best;
        }
        if (out[count - 1] != (float) ((count - 1) % 7) * 2 + 1 && rank == 0) {
            /* 2 ranks: (0 + x) + (1 + x); other world sizes are not checked. */
            int size;
            MPI_Comm_size(MPI_COMM_WORLD, &size);
            if (size == 2) {
                fprintf(stderr, "wrong sum %f\n", out[count - 1]);
                MPI_Abort(MPI_COMM_WORLD, 1);
            }
        }
        if (rank == 0) {
            printf("c %ld %.9f\n", bytes, best);
            fflush(stdout);
        }
        free(in);
        free(out);
    }
    MPI_Finalize();
    return 0;
}
