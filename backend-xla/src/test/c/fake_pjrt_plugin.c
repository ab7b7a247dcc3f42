/*
 * A fake PJRT plugin, written for Crossbar's tests and compiled by them with gcc. It implements the part of the PJRT
 * C API that Crossbar's client calls, with real memory, real events (a transfer thread completes some of them later)
 * and real errors, so that the whole Java client path runs: plugin initialization and attributes, a client with
 * addressable devices, compilation of MLIR text, buffers from and to the host, execution and errors.
 *
 * Its "compiler" recognizes a module whose @main applies stablehlo.add and/or stablehlo.multiply to two arguments of
 * equal shape: add alone gives one result (a + b), multiply alone gives (a * b), both give two results (a + b, a * b).
 * It reads num_replicas and num_partitions from the serialized CompileOptionsProto and runs on that many devices.
 * Executables serialize to a line of text that names what they compute and on how many devices.
 *
 * Compile-time variants:
 *   -DFAKE_PJRT_RETURNS_NULL         GetPjrtApi returns NULL, as a plugin that failed to initialize does
 *   -DFAKE_PJRT_WITHOUT_ENTRY_POINT  no GetPjrtApi at all: a shared library that is not a PJRT plugin
 *   -DFAKE_PJRT_MAJOR=n -DFAKE_PJRT_MINOR=n  the API version it reports (default 0.54)
 *   -DFAKE_PJRT_API_SIZE=n           the PJRT_Api.struct_size it reports (default: sizeof its table)
 *   -DFAKE_PJRT_WITHOUT_COMPILE      PJRT_Client_Compile left NULL in the table
 *
 * Test controls, called by the tests through FFM:
 *   fake_pjrt_fail_next(function, code, message)  the next call of that function fails with that error; the name
 *       "PJRT_LoadedExecutable_Execute:event" makes the next execution's completion event carry the error instead
 *   fake_pjrt_live_objects()  errors, events, clients, executables and buffers not yet destroyed
 *   fake_pjrt_initialize_calls()  how often PJRT_Plugin_Initialize was called
 *   fake_pjrt_delay_completions(milliseconds)  execution completion events become ready that much later
 */
#include "pjrt_abi.h"

#ifdef FAKE_PJRT_WITHOUT_ENTRY_POINT
int fake_pjrt_not_a_plugin(void) { return 0; }
#else

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef FAKE_PJRT_MAJOR
#define FAKE_PJRT_MAJOR 0
#endif
#ifndef FAKE_PJRT_MINOR
#define FAKE_PJRT_MINOR 54
#endif
#ifndef FAKE_PJRT_API_SIZE
#define FAKE_PJRT_API_SIZE sizeof(PJRT_Api)
#endif

#define MAX_DEVICES 8
#define MAX_DIMS 8

static atomic_long live_objects;
static atomic_int initialize_calls;
static atomic_int completion_delay_ms;

struct PJRT_Error { PJRT_Error_Code code; char *message; };

struct PJRT_Event {
    pthread_mutex_t mutex;
    pthread_cond_t changed;
    bool ready;
    PJRT_Error_Code code;
    char message[256];
    int references;
};

struct PJRT_Device { int id; char description[64]; };
struct PJRT_DeviceDescription { char unused; };

struct PJRT_Client { int device_count; struct PJRT_Device devices[MAX_DEVICES]; PJRT_Device *device_list[MAX_DEVICES]; };

struct PJRT_LoadedExecutable {
    PJRT_Client *client;
    bool add, multiply;
    int device_count;
    PJRT_Device *devices[MAX_DEVICES];
};
struct PJRT_Executable { PJRT_LoadedExecutable *loaded; };

struct PJRT_Buffer {
    PJRT_Device *device;
    PJRT_Buffer_Type type;
    size_t num_dims;
    int64_t dims[MAX_DIMS];
    void *data;
    size_t size;
    bool owns_data;
    PJRT_Event *ready;
    PJRT_Event *released; /* zero-copy buffers: set when the buffer no longer reads the caller's memory */
};

/* ---- errors and injected failures ---- */

static pthread_mutex_t failure_mutex = PTHREAD_MUTEX_INITIALIZER;
static char failing_function[128];
static PJRT_Error_Code failure_code;
static char failure_message[256];

void fake_pjrt_fail_next(const char *function, int code, const char *message) {
    pthread_mutex_lock(&failure_mutex);
    snprintf(failing_function, sizeof failing_function, "%s", function);
    failure_code = (PJRT_Error_Code) code;
    snprintf(failure_message, sizeof failure_message, "%s", message);
    pthread_mutex_unlock(&failure_mutex);
}

long fake_pjrt_live_objects(void) { return atomic_load(&live_objects); }

int fake_pjrt_initialize_calls(void) { return atomic_load(&initialize_calls); }

void fake_pjrt_delay_completions(int milliseconds) { atomic_store(&completion_delay_ms, milliseconds); }

static PJRT_Error *error_of(PJRT_Error_Code code, const char *format, ...) __attribute__((format(printf, 2, 3)));

static PJRT_Error *error_of(PJRT_Error_Code code, const char *format, ...) {
    PJRT_Error *error = malloc(sizeof *error);
    char text[512];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    error->code = code;
    error->message = strdup(text);
    atomic_fetch_add(&live_objects, 1);
    return error;
}

/* Takes the injected failure for a function, if one is pending: returns true and fills code and message. */
static bool take_failure(const char *function, PJRT_Error_Code *code, char *message, size_t message_size) {
    bool matched = false;
    pthread_mutex_lock(&failure_mutex);
    if (failing_function[0] != '\0' && strcmp(failing_function, function) == 0) {
        matched = true;
        *code = failure_code;
        snprintf(message, message_size, "%s", failure_message);
        failing_function[0] = '\0';
    }
    pthread_mutex_unlock(&failure_mutex);
    return matched;
}

static PJRT_Error *injected(const char *function) {
    PJRT_Error_Code code;
    char message[256];
    return take_failure(function, &code, message, sizeof message) ? error_of(code, "%s", message) : NULL;
}

#define RETURN_IF_INJECTED(function)                  \
    do {                                              \
        PJRT_Error *failure_ = injected(function);    \
        if (failure_ != NULL) return failure_;        \
    } while (0)

static void error_destroy(PJRT_Error_Destroy_Args *args) {
    if (args->error != NULL) {
        free(args->error->message);
        free(args->error);
        atomic_fetch_sub(&live_objects, 1);
    }
}

static void error_message(PJRT_Error_Message_Args *args) {
    args->message = args->error->message;
    args->message_size = strlen(args->error->message);
}

static PJRT_Error *error_get_code(PJRT_Error_GetCode_Args *args) {
    args->code = args->error->code;
    return NULL;
}

/* ---- events ---- */

static PJRT_Event *event_new(int references) {
    PJRT_Event *event = calloc(1, sizeof *event);
    pthread_mutex_init(&event->mutex, NULL);
    pthread_cond_init(&event->changed, NULL);
    event->references = references;
    atomic_fetch_add(&live_objects, 1);
    return event;
}

static void event_release(PJRT_Event *event) {
    pthread_mutex_lock(&event->mutex);
    int left = --event->references;
    pthread_mutex_unlock(&event->mutex);
    if (left == 0) {
        pthread_mutex_destroy(&event->mutex);
        pthread_cond_destroy(&event->changed);
        free(event);
        atomic_fetch_sub(&live_objects, 1);
    }
}

static void event_set(PJRT_Event *event, PJRT_Error_Code code, const char *message) {
    pthread_mutex_lock(&event->mutex);
    event->ready = true;
    event->code = code;
    snprintf(event->message, sizeof event->message, "%s", message);
    pthread_cond_broadcast(&event->changed);
    pthread_mutex_unlock(&event->mutex);
}

static PJRT_Event *event_ready(void) {
    PJRT_Event *event = event_new(1);
    event_set(event, PJRT_Error_Code_OK, "");
    return event;
}

static void event_wait(PJRT_Event *event) {
    pthread_mutex_lock(&event->mutex);
    while (!event->ready) pthread_cond_wait(&event->changed, &event->mutex);
    pthread_mutex_unlock(&event->mutex);
}

static PJRT_Error *event_destroy(PJRT_Event_Destroy_Args *args) {
    if (args->event != NULL) event_release(args->event);
    return NULL;
}

static PJRT_Error *event_is_ready(PJRT_Event_IsReady_Args *args) {
    pthread_mutex_lock(&args->event->mutex);
    args->is_ready = args->event->ready;
    pthread_mutex_unlock(&args->event->mutex);
    return NULL;
}

static PJRT_Error *event_error(PJRT_Event_Error_Args *args) {
    PJRT_Event *event = args->event;
    pthread_mutex_lock(&event->mutex);
    bool ready = event->ready;
    PJRT_Error_Code code = event->code;
    char message[256];
    snprintf(message, sizeof message, "%s", event->message);
    pthread_mutex_unlock(&event->mutex);
    if (!ready) return error_of(PJRT_Error_Code_FAILED_PRECONDITION, "PJRT_Event_Error called on an event that is not ready");
    return code == PJRT_Error_Code_OK ? NULL : error_of(code, "%s", message);
}

/* ---- plugin ---- */

static PJRT_Error *plugin_initialize(PJRT_Plugin_Initialize_Args *args) {
    (void) args;
    atomic_fetch_add(&initialize_calls, 1);
    RETURN_IF_INJECTED("PJRT_Plugin_Initialize");
    return NULL;
}

static const int64_t stablehlo_version[] = {1, 9, 3};
static PJRT_NamedValue plugin_attributes[5];

static void named(PJRT_NamedValue *value, const char *name, PJRT_NamedValue_Type type, size_t value_size) {
    value->struct_size = sizeof *value;
    value->name = name;
    value->name_size = strlen(name);
    value->type = type;
    value->value_size = value_size;
}

static PJRT_Error *plugin_attributes_get(PJRT_Plugin_Attributes_Args *args) {
    RETURN_IF_INJECTED("PJRT_Plugin_Attributes");
    named(&plugin_attributes[0], "xla_version", PJRT_NamedValue_kInt64, 1);
    plugin_attributes[0].int64_value = 2;
    named(&plugin_attributes[1], "stablehlo_current_version", PJRT_NamedValue_kInt64List, 3);
    plugin_attributes[1].int64_array_value = stablehlo_version;
    named(&plugin_attributes[2], "platform", PJRT_NamedValue_kString, strlen("fake"));
    plugin_attributes[2].string_value = "fake";
    named(&plugin_attributes[3], "supports_bf16", PJRT_NamedValue_kBool, 1);
    plugin_attributes[3].bool_value = true;
    named(&plugin_attributes[4], "clock_ghz", PJRT_NamedValue_kFloat, 1);
    plugin_attributes[4].float_value = 1.5f;
    args->attributes = plugin_attributes;
    args->num_attributes = 5;
    return NULL;
}

/* ---- client and devices ---- */

static PJRT_Error *client_create(PJRT_Client_Create_Args *args) {
    RETURN_IF_INJECTED("PJRT_Client_Create");
    int device_count = 2;
    for (size_t i = 0; i < args->num_options; i++) {
        const PJRT_NamedValue *option = &args->create_options[i];
        if (option->name_size == strlen("device_count") && memcmp(option->name, "device_count", option->name_size) == 0
                && option->type == PJRT_NamedValue_kInt64) {
            if (option->int64_value < 1 || option->int64_value > MAX_DEVICES) {
                return error_of(PJRT_Error_Code_INVALID_ARGUMENT, "device_count %lld is outside 1..%d", (long long) option->int64_value, MAX_DEVICES);
            }
            device_count = (int) option->int64_value;
        } else {
            return error_of(PJRT_Error_Code_INVALID_ARGUMENT, "unknown create option '%.*s' of type %d", (int) option->name_size, option->name, option->type);
        }
    }
    PJRT_Client *client = calloc(1, sizeof *client);
    client->device_count = device_count;
    for (int i = 0; i < device_count; i++) {
        client->devices[i].id = i;
        snprintf(client->devices[i].description, sizeof client->devices[i].description, "FakeDevice(id=%d)", i);
        client->device_list[i] = &client->devices[i];
    }
    atomic_fetch_add(&live_objects, 1);
    args->client = client;
    return NULL;
}

static PJRT_Error *client_destroy(PJRT_Client_Destroy_Args *args) {
    if (args->client != NULL) {
        free(args->client);
        atomic_fetch_sub(&live_objects, 1);
    }
    return NULL;
}

static PJRT_Error *client_platform_name(PJRT_Client_PlatformName_Args *args) {
    args->platform_name = "fake";
    args->platform_name_size = 4;
    return NULL;
}

static PJRT_Error *client_platform_version(PJRT_Client_PlatformVersion_Args *args) {
    args->platform_version = "fake 1.0";
    args->platform_version_size = 8;
    return NULL;
}

static PJRT_Error *client_addressable_devices(PJRT_Client_AddressableDevices_Args *args) {
    args->addressable_devices = args->client->device_list;
    args->num_addressable_devices = (size_t) args->client->device_count;
    return NULL;
}

/* A device is its own description. */
static PJRT_Error *device_get_description(PJRT_Device_GetDescription_Args *args) {
    args->device_description = (PJRT_DeviceDescription *) args->device;
    return NULL;
}

static PJRT_Error *device_local_hardware_id(PJRT_Device_LocalHardwareId_Args *args) {
    args->local_hardware_id = args->device->id;
    return NULL;
}

static PJRT_Error *description_id(PJRT_DeviceDescription_Id_Args *args) {
    args->id = ((PJRT_Device *) args->device_description)->id;
    return NULL;
}

static PJRT_Error *description_process_index(PJRT_DeviceDescription_ProcessIndex_Args *args) {
    args->process_index = 0;
    return NULL;
}

static PJRT_Error *description_kind(PJRT_DeviceDescription_Kind_Args *args) {
    args->device_kind = "FakeCore";
    args->device_kind_size = 8;
    return NULL;
}

static PJRT_Error *description_to_string(PJRT_DeviceDescription_ToString_Args *args) {
    const char *text = ((PJRT_Device *) args->device_description)->description;
    args->to_string = text;
    args->to_string_size = strlen(text);
    return NULL;
}

static PJRT_NamedValue device_attributes[1];

static PJRT_Error *description_attributes(PJRT_DeviceDescription_Attributes_Args *args) {
    named(&device_attributes[0], "core_count", PJRT_NamedValue_kInt64, 1);
    device_attributes[0].int64_value = 2;
    args->attributes = device_attributes;
    args->num_attributes = 1;
    return NULL;
}

/* ---- compilation ---- */

static bool read_varint(const unsigned char **at, const unsigned char *end, uint64_t *value) {
    *value = 0;
    for (int shift = 0; *at < end && shift < 64; shift += 7) {
        unsigned char byte = *(*at)++;
        *value |= (uint64_t) (byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) return true;
    }
    return false;
}

/* Reads fields 4 (num_replicas) and 5 (num_partitions) of field 3 (executable_build_options) of a CompileOptionsProto. */
static PJRT_Error *read_compile_options(const char *bytes, size_t size, int64_t *replicas, int64_t *partitions) {
    const unsigned char *at = (const unsigned char *) bytes, *end = at + size;
    *replicas = 0;
    *partitions = 0;
    while (at < end) {
        uint64_t key, value;
        if (!read_varint(&at, end, &key)) return error_of(PJRT_Error_Code_INVALID_ARGUMENT, "malformed CompileOptionsProto");
        int wire_type = (int) (key & 7);
        if (wire_type == 0) {
            if (!read_varint(&at, end, &value)) return error_of(PJRT_Error_Code_INVALID_ARGUMENT, "malformed CompileOptionsProto varint");
        } else if (wire_type == 2) {
            if (!read_varint(&at, end, &value) || value > (uint64_t) (end - at)) {
                return error_of(PJRT_Error_Code_INVALID_ARGUMENT, "malformed CompileOptionsProto length");
            }
            if (key >> 3 == 3) {
                const unsigned char *inner = at, *inner_end = at + value;
                while (inner < inner_end) {
                    uint64_t inner_key, inner_value;
                    if (!read_varint(&inner, inner_end, &inner_key) || (inner_key & 7) != 0 || !read_varint(&inner, inner_end, &inner_value)) {
                        return error_of(PJRT_Error_Code_INVALID_ARGUMENT, "the fake plugin reads only varint fields of ExecutableBuildOptionsProto");
                    }
                    if (inner_key >> 3 == 4) *replicas = (int64_t) inner_value;
                    if (inner_key >> 3 == 5) *partitions = (int64_t) inner_value;
                }
            }
            at += value;
        } else {
            return error_of(PJRT_Error_Code_INVALID_ARGUMENT, "unexpected wire type %d in CompileOptionsProto", wire_type);
        }
    }
    return NULL;
}

static PJRT_Error *client_compile(PJRT_Client_Compile_Args *args) {
    RETURN_IF_INJECTED("PJRT_Client_Compile");
    const PJRT_Program *program = args->program;
    if (program->format_size != 4 || memcmp(program->format, "mlir", 4) != 0) {
        return error_of(PJRT_Error_Code_INVALID_ARGUMENT, "program format '%.*s' is not supported; use mlir", (int) program->format_size, program->format);
    }
    int64_t replicas, partitions;
    PJRT_Error *error = read_compile_options(args->compile_options, args->compile_options_size, &replicas, &partitions);
    if (error != NULL) return error;
    if (replicas < 1 || partitions < 1) {
        return error_of(PJRT_Error_Code_INVALID_ARGUMENT, "num_replicas %lld and num_partitions %lld must be at least 1", (long long) replicas, (long long) partitions);
    }
    if (replicas * partitions > args->client->device_count) {
        return error_of(PJRT_Error_Code_INVALID_ARGUMENT, "%lld replicas x %lld partitions need more than the %d devices",
                (long long) replicas, (long long) partitions, args->client->device_count);
    }
    char *code = strndup(program->code, program->code_size);
    bool is_module = strstr(code, "module") != NULL && strstr(code, "func.func") != NULL && strstr(code, "@main") != NULL;
    bool add = strstr(code, "stablehlo.add") != NULL, multiply = strstr(code, "stablehlo.multiply") != NULL;
    free(code);
    if (!is_module) return error_of(PJRT_Error_Code_INVALID_ARGUMENT, "the program is not an MLIR module with a func.func @main");
    if (!add && !multiply) {
        return error_of(PJRT_Error_Code_UNIMPLEMENTED, "the fake PJRT plugin compiles only stablehlo.add and stablehlo.multiply of two arguments");
    }
    PJRT_LoadedExecutable *executable = calloc(1, sizeof *executable);
    executable->client = args->client;
    executable->add = add;
    executable->multiply = multiply;
    executable->device_count = (int) (replicas * partitions);
    for (int i = 0; i < executable->device_count; i++) executable->devices[i] = &args->client->devices[i];
    atomic_fetch_add(&live_objects, 1);
    args->executable = executable;
    return NULL;
}

static PJRT_Error *loaded_executable_destroy(PJRT_LoadedExecutable_Destroy_Args *args) {
    if (args->executable != NULL) {
        free(args->executable);
        atomic_fetch_sub(&live_objects, 1);
    }
    return NULL;
}

static PJRT_Error *loaded_executable_get_executable(PJRT_LoadedExecutable_GetExecutable_Args *args) {
    PJRT_Executable *executable = malloc(sizeof *executable);
    executable->loaded = args->loaded_executable;
    atomic_fetch_add(&live_objects, 1);
    args->executable = executable;
    return NULL;
}

static PJRT_Error *loaded_executable_addressable_devices(PJRT_LoadedExecutable_AddressableDevices_Args *args) {
    args->addressable_devices = args->executable->devices;
    args->num_addressable_devices = (size_t) args->executable->device_count;
    return NULL;
}

static PJRT_Error *executable_destroy(PJRT_Executable_Destroy_Args *args) {
    if (args->executable != NULL) {
        free(args->executable);
        atomic_fetch_sub(&live_objects, 1);
    }
    return NULL;
}

static PJRT_Error *executable_name(PJRT_Executable_Name_Args *args) {
    args->executable_name = "main";
    args->executable_name_size = 4;
    return NULL;
}

static PJRT_Error *executable_num_outputs(PJRT_Executable_NumOutputs_Args *args) {
    PJRT_LoadedExecutable *loaded = args->executable->loaded;
    args->num_outputs = (size_t) (loaded->add + loaded->multiply);
    return NULL;
}

struct PJRT_SerializedExecutable { char text[96]; };

static void serialized_executable_delete(PJRT_SerializedExecutable *serialized) {
    free(serialized);
    atomic_fetch_sub(&live_objects, 1);
}

static PJRT_Error *executable_serialize(PJRT_Executable_Serialize_Args *args) {
    RETURN_IF_INJECTED("PJRT_Executable_Serialize");
    const PJRT_LoadedExecutable *loaded = args->executable->loaded;
    PJRT_SerializedExecutable *serialized = malloc(sizeof *serialized);
    snprintf(serialized->text, sizeof serialized->text, "fake-executable add=%d multiply=%d devices=%d", loaded->add, loaded->multiply,
            loaded->device_count);
    atomic_fetch_add(&live_objects, 1);
    args->serialized_bytes = serialized->text;
    args->serialized_bytes_size = strlen(serialized->text);
    args->serialized_executable = serialized;
    args->serialized_executable_deleter = serialized_executable_delete;
    return NULL;
}

static PJRT_Error *executable_deserialize_and_load(PJRT_Executable_DeserializeAndLoad_Args *args) {
    RETURN_IF_INJECTED("PJRT_Executable_DeserializeAndLoad");
    char text[96];
    int add, multiply, devices;
    snprintf(text, sizeof text, "%.*s", (int) args->serialized_executable_size, args->serialized_executable);
    if (sscanf(text, "fake-executable add=%d multiply=%d devices=%d", &add, &multiply, &devices) != 3 || devices < 1
            || devices > args->client->device_count) {
        return error_of(PJRT_Error_Code_INVALID_ARGUMENT, "not an executable serialized by this plugin for this client: '%s'", text);
    }
    PJRT_LoadedExecutable *executable = calloc(1, sizeof *executable);
    executable->client = args->client;
    executable->add = add;
    executable->multiply = multiply;
    executable->device_count = devices;
    for (int i = 0; i < devices; i++) executable->devices[i] = &args->client->devices[i];
    atomic_fetch_add(&live_objects, 1);
    args->loaded_executable = executable;
    return NULL;
}

/* ---- buffers ---- */

static size_t element_size(PJRT_Buffer_Type type) {
    switch (type) {
        case PJRT_Buffer_Type_PRED: case PJRT_Buffer_Type_S8: return 1;
        case PJRT_Buffer_Type_F16: case PJRT_Buffer_Type_BF16: return 2;
        case PJRT_Buffer_Type_S32: case PJRT_Buffer_Type_F32: case PJRT_Buffer_Type_U32: return 4;
        case PJRT_Buffer_Type_S64: case PJRT_Buffer_Type_F64: return 8;
        default: return 0;
    }
}

static PJRT_Buffer *buffer_new(PJRT_Device *device, PJRT_Buffer_Type type, const int64_t *dims, size_t num_dims) {
    PJRT_Buffer *buffer = calloc(1, sizeof *buffer);
    buffer->device = device;
    buffer->type = type;
    buffer->num_dims = num_dims;
    size_t count = 1;
    for (size_t i = 0; i < num_dims; i++) {
        buffer->dims[i] = dims[i];
        count *= (size_t) dims[i];
    }
    buffer->size = count * element_size(type);
    atomic_fetch_add(&live_objects, 1);
    return buffer;
}

struct transfer { PJRT_Buffer *buffer; const void *source; PJRT_Event *done; };

/* Copies the host data a little later, as a device transfer would, then completes the buffer and the done event. */
static void *transfer_later(void *argument) {
    struct transfer *transfer = argument;
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, NULL);
    memcpy(transfer->buffer->data, transfer->source, transfer->buffer->size);
    event_set(transfer->buffer->ready, PJRT_Error_Code_OK, "");
    event_release(transfer->buffer->ready);
    event_set(transfer->done, PJRT_Error_Code_OK, "");
    event_release(transfer->done);
    free(transfer);
    return NULL;
}

static PJRT_Error *client_buffer_from_host(PJRT_Client_BufferFromHostBuffer_Args *args) {
    RETURN_IF_INJECTED("PJRT_Client_BufferFromHostBuffer");
    if (element_size(args->type) == 0) return error_of(PJRT_Error_Code_UNIMPLEMENTED, "the fake PJRT plugin has no element type %d", args->type);
    if (args->num_dims > MAX_DIMS) return error_of(PJRT_Error_Code_INVALID_ARGUMENT, "%zu dimensions, at most %d", args->num_dims, MAX_DIMS);
    if (args->num_byte_strides != 0) return error_of(PJRT_Error_Code_UNIMPLEMENTED, "the fake PJRT plugin reads dense host data only");
    if (args->device == NULL) return error_of(PJRT_Error_Code_INVALID_ARGUMENT, "no device given");
    PJRT_Buffer *buffer = buffer_new(args->device, args->type, args->dims, args->num_dims);
    switch (args->host_buffer_semantics) {
        case PJRT_HostBufferSemantics_kImmutableOnlyDuringCall:
            buffer->data = malloc(buffer->size);
            buffer->owns_data = true;
            memcpy(buffer->data, args->data, buffer->size);
            buffer->ready = event_ready();
            args->done_with_host_buffer = event_ready();
            break;
        case PJRT_HostBufferSemantics_kImmutableUntilTransferCompletes: {
            buffer->data = malloc(buffer->size);
            buffer->owns_data = true;
            buffer->ready = event_new(2);
            struct transfer *transfer = malloc(sizeof *transfer);
            transfer->buffer = buffer;
            transfer->source = args->data;
            transfer->done = event_new(2);
            args->done_with_host_buffer = transfer->done;
            pthread_t thread;
            pthread_create(&thread, NULL, transfer_later, transfer);
            pthread_detach(thread);
            break;
        }
        case PJRT_HostBufferSemantics_kImmutableZeroCopy:
            buffer->data = (void *) args->data;
            buffer->ready = event_ready();
            buffer->released = event_new(2);
            args->done_with_host_buffer = buffer->released;
            break;
        default:
            free(buffer);
            atomic_fetch_sub(&live_objects, 1);
            return error_of(PJRT_Error_Code_UNIMPLEMENTED, "host buffer semantics %d", args->host_buffer_semantics);
    }
    args->buffer = buffer;
    return NULL;
}

static PJRT_Error *buffer_destroy(PJRT_Buffer_Destroy_Args *args) {
    PJRT_Buffer *buffer = args->buffer;
    if (buffer == NULL) return NULL;
    event_wait(buffer->ready);
    event_release(buffer->ready);
    if (buffer->owns_data) free(buffer->data);
    if (buffer->released != NULL) {
        event_set(buffer->released, PJRT_Error_Code_OK, "");
        event_release(buffer->released);
    }
    free(buffer);
    atomic_fetch_sub(&live_objects, 1);
    return NULL;
}

static PJRT_Error *buffer_element_type(PJRT_Buffer_ElementType_Args *args) {
    args->type = args->buffer->type;
    return NULL;
}

static PJRT_Error *buffer_dimensions(PJRT_Buffer_Dimensions_Args *args) {
    args->dims = args->buffer->dims;
    args->num_dims = args->buffer->num_dims;
    return NULL;
}

static PJRT_Error *buffer_to_host(PJRT_Buffer_ToHostBuffer_Args *args) {
    RETURN_IF_INJECTED("PJRT_Buffer_ToHostBuffer");
    PJRT_Buffer *buffer = args->src;
    if (args->dst == NULL) {
        args->dst_size = buffer->size;
        return NULL;
    }
    if (args->dst_size < buffer->size) {
        return error_of(PJRT_Error_Code_INVALID_ARGUMENT, "destination holds %zu bytes, the buffer %zu", args->dst_size, buffer->size);
    }
    event_wait(buffer->ready);
    memcpy(args->dst, buffer->data, buffer->size);
    args->event = event_ready();
    return NULL;
}

/* ---- execution ---- */

struct completion { PJRT_Event *event; PJRT_Error_Code code; char message[256]; int delay_ms; };

static void *complete_later(void *argument) {
    struct completion *completion = argument;
    struct timespec pause = {completion->delay_ms / 1000, (long) (completion->delay_ms % 1000) * 1000 * 1000};
    nanosleep(&pause, NULL);
    event_set(completion->event, completion->code, completion->message);
    event_release(completion->event);
    free(completion);
    return NULL;
}

#define APPLY(type, op) \
    for (size_t i = 0; i < count; i++) ((type *) out)[i] = ((const type *) a)[i] op ((const type *) b)[i]

static bool apply(PJRT_Buffer_Type type, bool add, const void *a, const void *b, void *out, size_t count) {
    switch (type) {
        case PJRT_Buffer_Type_F32: if (add) APPLY(float, +); else APPLY(float, *); return true;
        case PJRT_Buffer_Type_F64: if (add) APPLY(double, +); else APPLY(double, *); return true;
        case PJRT_Buffer_Type_S32: if (add) APPLY(int32_t, +); else APPLY(int32_t, *); return true;
        case PJRT_Buffer_Type_S64: if (add) APPLY(int64_t, +); else APPLY(int64_t, *); return true;
        default: return false;
    }
}

static PJRT_Error *loaded_executable_execute(PJRT_LoadedExecutable_Execute_Args *args) {
    RETURN_IF_INJECTED("PJRT_LoadedExecutable_Execute");
    PJRT_LoadedExecutable *executable = args->executable;
    if (args->options == NULL || args->options->struct_size == 0) return error_of(PJRT_Error_Code_INVALID_ARGUMENT, "no PJRT_ExecuteOptions");
    if (args->execute_device != NULL) return error_of(PJRT_Error_Code_UNIMPLEMENTED, "execute_device is not supported by the fake plugin");
    if ((int) args->num_devices != executable->device_count) {
        return error_of(PJRT_Error_Code_INVALID_ARGUMENT, "the executable runs on %d devices, %zu argument lists given", executable->device_count, args->num_devices);
    }
    if (args->num_args != 2) return error_of(PJRT_Error_Code_INVALID_ARGUMENT, "@main takes 2 arguments, %zu given", args->num_args);
    for (size_t d = 0; d < args->num_devices; d++) {
        PJRT_Buffer *a = args->argument_lists[d][0], *b = args->argument_lists[d][1];
        if (a->device != executable->devices[d] || b->device != executable->devices[d]) {
            return error_of(PJRT_Error_Code_INVALID_ARGUMENT, "arguments of device list %zu are not on device %d", d, executable->devices[d]->id);
        }
        if (a->type != b->type || a->num_dims != b->num_dims || memcmp(a->dims, b->dims, a->num_dims * sizeof a->dims[0]) != 0) {
            return error_of(PJRT_Error_Code_INVALID_ARGUMENT, "the two arguments differ in element type or shape");
        }
        if (a->type != PJRT_Buffer_Type_F32 && a->type != PJRT_Buffer_Type_F64 && a->type != PJRT_Buffer_Type_S32 && a->type != PJRT_Buffer_Type_S64) {
            return error_of(PJRT_Error_Code_UNIMPLEMENTED, "the fake plugin computes F32, F64, S32 and S64 only, not type %d", a->type);
        }
    }
    PJRT_Error_Code event_code = PJRT_Error_Code_OK;
    char event_message[256] = "";
    take_failure("PJRT_LoadedExecutable_Execute:event", &event_code, event_message, sizeof event_message);
    for (size_t d = 0; d < args->num_devices; d++) {
        PJRT_Buffer *a = args->argument_lists[d][0], *b = args->argument_lists[d][1];
        event_wait(a->ready);
        event_wait(b->ready);
        size_t count = a->size / element_size(a->type), output = 0;
        if (executable->add) {
            PJRT_Buffer *sum = buffer_new(executable->devices[d], a->type, a->dims, a->num_dims);
            sum->data = malloc(sum->size);
            sum->owns_data = true;
            apply(a->type, true, a->data, b->data, sum->data, count);
            sum->ready = event_ready();
            args->output_lists[d][output++] = sum;
        }
        if (executable->multiply) {
            PJRT_Buffer *product = buffer_new(executable->devices[d], a->type, a->dims, a->num_dims);
            product->data = malloc(product->size);
            product->owns_data = true;
            apply(a->type, false, a->data, b->data, product->data, count);
            product->ready = event_ready();
            args->output_lists[d][output++] = product;
        }
        if (args->device_complete_events != NULL) {
            int delay_ms = atomic_load(&completion_delay_ms);
            PJRT_Event *complete = event_new(delay_ms > 0 ? 2 : 1);
            if (delay_ms > 0) {
                struct completion *completion = malloc(sizeof *completion);
                completion->event = complete;
                completion->code = event_code;
                snprintf(completion->message, sizeof completion->message, "%s", event_message);
                completion->delay_ms = delay_ms;
                pthread_t thread;
                pthread_create(&thread, NULL, complete_later, completion);
                pthread_detach(thread);
            } else {
                event_set(complete, event_code, event_message);
            }
            args->device_complete_events[d] = complete;
        }
    }
    return NULL;
}

/* ---- the table ---- */

static PJRT_Api api;

const PJRT_Api *GetPjrtApi(void) {
#ifdef FAKE_PJRT_RETURNS_NULL
    return NULL;
#else
    api.struct_size = FAKE_PJRT_API_SIZE;
    api.pjrt_api_version.struct_size = sizeof(PJRT_Api_Version);
    api.pjrt_api_version.major_version = FAKE_PJRT_MAJOR;
    api.pjrt_api_version.minor_version = FAKE_PJRT_MINOR;
    api.PJRT_Error_Destroy = (void *) error_destroy;
    api.PJRT_Error_Message = (void *) error_message;
    api.PJRT_Error_GetCode = (void *) error_get_code;
    api.PJRT_Plugin_Initialize = (void *) plugin_initialize;
    api.PJRT_Plugin_Attributes = (void *) plugin_attributes_get;
    api.PJRT_Event_Destroy = (void *) event_destroy;
    api.PJRT_Event_IsReady = (void *) event_is_ready;
    api.PJRT_Event_Error = (void *) event_error;
    api.PJRT_Client_Create = (void *) client_create;
    api.PJRT_Client_Destroy = (void *) client_destroy;
    api.PJRT_Client_PlatformName = (void *) client_platform_name;
    api.PJRT_Client_PlatformVersion = (void *) client_platform_version;
    api.PJRT_Client_AddressableDevices = (void *) client_addressable_devices;
#ifndef FAKE_PJRT_WITHOUT_COMPILE
    api.PJRT_Client_Compile = (void *) client_compile;
#endif
    api.PJRT_Client_BufferFromHostBuffer = (void *) client_buffer_from_host;
    api.PJRT_DeviceDescription_Id = (void *) description_id;
    api.PJRT_DeviceDescription_ProcessIndex = (void *) description_process_index;
    api.PJRT_DeviceDescription_Attributes = (void *) description_attributes;
    api.PJRT_DeviceDescription_Kind = (void *) description_kind;
    api.PJRT_DeviceDescription_ToString = (void *) description_to_string;
    api.PJRT_Device_GetDescription = (void *) device_get_description;
    api.PJRT_Device_LocalHardwareId = (void *) device_local_hardware_id;
    api.PJRT_Executable_Destroy = (void *) executable_destroy;
    api.PJRT_Executable_Name = (void *) executable_name;
    api.PJRT_Executable_NumOutputs = (void *) executable_num_outputs;
    api.PJRT_LoadedExecutable_Destroy = (void *) loaded_executable_destroy;
    api.PJRT_LoadedExecutable_GetExecutable = (void *) loaded_executable_get_executable;
    api.PJRT_LoadedExecutable_AddressableDevices = (void *) loaded_executable_addressable_devices;
    api.PJRT_LoadedExecutable_Execute = (void *) loaded_executable_execute;
    api.PJRT_Executable_Serialize = (void *) executable_serialize;
    api.PJRT_Executable_DeserializeAndLoad = (void *) executable_deserialize_and_load;
    api.PJRT_Buffer_Destroy = (void *) buffer_destroy;
    api.PJRT_Buffer_ElementType = (void *) buffer_element_type;
    api.PJRT_Buffer_Dimensions = (void *) buffer_dimensions;
    api.PJRT_Buffer_ToHostBuffer = (void *) buffer_to_host;
    return &api;
#endif
}
#endif
