/*
 * A fake PJRT plugin for XlaBackendProviderTest, compiled by the test with gcc. GetPjrtApi returns only the leading
 * fields of PJRT_Api, laid out as in openxla's xla/pjrt/c/pjrt_c_api.h.
 *   -DFAKE_PJRT_RETURNS_NULL         GetPjrtApi returns NULL, as a plugin that failed to initialize does
 *   -DFAKE_PJRT_WITHOUT_ENTRY_POINT  no GetPjrtApi at all: a shared library that is not a PJRT plugin
 */
#include <stddef.h>

typedef struct {
    size_t struct_size;
    void *extension_start;
    int major_version;
    int minor_version;
} PJRT_Api_Version;

typedef struct {
    size_t struct_size;
    void *extension_start;
    PJRT_Api_Version pjrt_api_version;
} PJRT_Api;

#ifdef FAKE_PJRT_WITHOUT_ENTRY_POINT
int fake_pjrt_not_a_plugin(void) { return 0; }
#else
static const PJRT_Api api = {sizeof(PJRT_Api), NULL, {sizeof(PJRT_Api_Version), NULL, 0, 54}};

const PJRT_Api *GetPjrtApi(void) {
#ifdef FAKE_PJRT_RETURNS_NULL
    return NULL;
#else
    return &api;
#endif
}
#endif
