/* oneDNN matmul peer of compare.sh (oneDNN 2.x C API): row-major C = A x B for each argument "<type>:N" (square) or
 * "<type>:MxKxN", type f32 or bf16 (BF16 inputs, F32 output, as oneDNN runs it on AMX). Threads: OMP_NUM_THREADS.
 * Prints "measure onednn mm_<type>_<shape> <seconds> runs=<n>" and the implementation oneDNN chose. */
#include <dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "timing.h"

#define CHECK(call)                                                                          \
    do {                                                                                     \
        dnnl_status_t status_ = (call);                                                      \
        if (status_ != dnnl_success) {                                                       \
            fprintf(stderr, "onednn_matmul: %s failed with status %d\n", #call, (int) status_); \
            exit(1);                                                                         \
        }                                                                                    \
    } while (0)

struct product {
    dnnl_primitive_t primitive;
    dnnl_stream_t stream;
    dnnl_exec_arg_t args[3];
};

static void multiply(void *state) {
    struct product *p = state;
    CHECK(dnnl_primitive_execute(p->primitive, p->stream, 3, p->args));
    CHECK(dnnl_stream_wait(p->stream));
}

static dnnl_memory_t matrix(dnnl_engine_t engine, int rows, int columns, dnnl_data_type_t type) {
    dnnl_memory_desc_t desc;
    dnnl_dims_t dims = {rows, columns};
    CHECK(dnnl_memory_desc_init_by_tag(&desc, 2, dims, type, dnnl_ab));
    dnnl_memory_t memory;
    CHECK(dnnl_memory_create(&memory, &desc, engine, DNNL_MEMORY_ALLOCATE));
    void *data;
    CHECK(dnnl_memory_get_data_handle(memory, &data));
    size_t bytes = dnnl_memory_desc_get_size(&desc);
    unsigned char *bytes_of = data;
    for (size_t i = 0; i < bytes; i++) {
        /* Small random values: exponent bytes stay moderate in both F32 and BF16 layouts. */
        bytes_of[i] = (i % 2 == 1) ? 0x3e : (unsigned char) rand();
    }
    return memory;
}

int main(int argc, char **argv) {
    const dnnl_version_t *version = dnnl_version();
    printf("info onednn %d.%d.%d\n", version->major, version->minor, version->patch);
    dnnl_engine_t engine;
    CHECK(dnnl_engine_create(&engine, dnnl_cpu, 0));
    for (int i = 1; i < argc; i++) {
        char type_name[16], shape[48];
        int m, k, n;
        if (sscanf(argv[i], "%15[a-z0-9]:%47s", type_name, shape) != 2 || (strcmp(type_name, "f32") != 0 && strcmp(type_name, "bf16") != 0)) {
            fprintf(stderr, "onednn_matmul: argument '%s' is not <f32|bf16>:N or <f32|bf16>:MxKxN\n", argv[i]);
            return 2;
        }
        if (sscanf(shape, "%dx%dx%d", &m, &k, &n) != 3) {
            if (sscanf(shape, "%d", &m) != 1) {
                fprintf(stderr, "onednn_matmul: shape '%s' is neither N nor MxKxN\n", shape);
                return 2;
            }
            k = n = m;
        }
        dnnl_data_type_t input_type = strcmp(type_name, "bf16") == 0 ? dnnl_bf16 : dnnl_f32;
        dnnl_memory_t a = matrix(engine, m, k, input_type), b = matrix(engine, k, n, input_type), c = matrix(engine, m, n, dnnl_f32);
        const dnnl_memory_desc_t *a_desc, *b_desc, *c_desc;
        CHECK(dnnl_memory_get_memory_desc(a, &a_desc));
        CHECK(dnnl_memory_get_memory_desc(b, &b_desc));
        CHECK(dnnl_memory_get_memory_desc(c, &c_desc));
        dnnl_matmul_desc_t desc;
        CHECK(dnnl_matmul_desc_init(&desc, a_desc, b_desc, NULL, c_desc));
        dnnl_primitive_desc_t primitive_desc;
        CHECK(dnnl_primitive_desc_create(&primitive_desc, &desc, NULL, engine, NULL));
        const char *implementation = NULL;
        CHECK(dnnl_primitive_desc_query(primitive_desc, dnnl_query_impl_info_str, 0, &implementation));
        struct product p;
        CHECK(dnnl_primitive_create(&p.primitive, primitive_desc));
        CHECK(dnnl_stream_create(&p.stream, engine, dnnl_stream_default_flags));
        p.args[0] = (dnnl_exec_arg_t) {DNNL_ARG_SRC, a};
        p.args[1] = (dnnl_exec_arg_t) {DNNL_ARG_WEIGHTS, b};
        p.args[2] = (dnnl_exec_arg_t) {DNNL_ARG_DST, c};
        char name[80];
        snprintf(name, sizeof name, "mm_%s_%s", type_name, shape);
        printf("info onednn %s implementation=%s\n", name, implementation);
        peer_measure("onednn", name, multiply, &p);
        CHECK(dnnl_stream_destroy(p.stream));
        CHECK(dnnl_primitive_destroy(p.primitive));
        CHECK(dnnl_primitive_desc_destroy(primitive_desc));
        CHECK(dnnl_memory_destroy(a));
        CHECK(dnnl_memory_destroy(b));
        CHECK(dnnl_memory_destroy(c));
    }
    CHECK(dnnl_engine_destroy(engine));
    return 0;
}
