/*
 * The part of the PJRT C API ABI that Crossbar's client uses, declared by us from the published openxla header
 * xla/pjrt/c/pjrt_c_api.h (API 0.94; the leading members of the function table and of these structs are unchanged
 * since 0.33). Used by the fake plugin and by the layout probe that PjrtStructLayoutTest compiles: gcc's offsets for
 * these declarations must equal the offsets of the Java layouts in PjrtStructs.
 *
 * Function table members the client does not call are declared as plain pointers: only their position matters.
 */
#ifndef CROSSBAR_TEST_PJRT_ABI_H
#define CROSSBAR_TEST_PJRT_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct PJRT_Error PJRT_Error;
typedef struct PJRT_Event PJRT_Event;
typedef struct PJRT_Client PJRT_Client;
typedef struct PJRT_Device PJRT_Device;
typedef struct PJRT_DeviceDescription PJRT_DeviceDescription;
typedef struct PJRT_Memory PJRT_Memory;
typedef struct PJRT_Executable PJRT_Executable;
typedef struct PJRT_LoadedExecutable PJRT_LoadedExecutable;
typedef struct PJRT_Buffer PJRT_Buffer;
typedef struct PJRT_ExecuteContext PJRT_ExecuteContext;
typedef struct PJRT_Extension_Base PJRT_Extension_Base;

/* Error codes follow absl::StatusCode. */
typedef enum {
    PJRT_Error_Code_OK = 0, PJRT_Error_Code_CANCELLED = 1, PJRT_Error_Code_UNKNOWN = 2, PJRT_Error_Code_INVALID_ARGUMENT = 3,
    PJRT_Error_Code_DEADLINE_EXCEEDED = 4, PJRT_Error_Code_NOT_FOUND = 5, PJRT_Error_Code_ALREADY_EXISTS = 6,
    PJRT_Error_Code_PERMISSION_DENIED = 7, PJRT_Error_Code_RESOURCE_EXHAUSTED = 8, PJRT_Error_Code_FAILED_PRECONDITION = 9,
    PJRT_Error_Code_ABORTED = 10, PJRT_Error_Code_OUT_OF_RANGE = 11, PJRT_Error_Code_UNIMPLEMENTED = 12, PJRT_Error_Code_INTERNAL = 13,
    PJRT_Error_Code_UNAVAILABLE = 14, PJRT_Error_Code_DATA_LOSS = 15, PJRT_Error_Code_UNAUTHENTICATED = 16
} PJRT_Error_Code;

typedef enum { PJRT_NamedValue_kString = 0, PJRT_NamedValue_kInt64, PJRT_NamedValue_kInt64List, PJRT_NamedValue_kFloat, PJRT_NamedValue_kBool } PJRT_NamedValue_Type;

/* Element types: only the ones the fake plugin handles are named; the enumeration continues beyond BF16. */
typedef enum {
    PJRT_Buffer_Type_INVALID = 0, PJRT_Buffer_Type_PRED = 1, PJRT_Buffer_Type_S8 = 2, PJRT_Buffer_Type_S32 = 4, PJRT_Buffer_Type_S64 = 5,
    PJRT_Buffer_Type_U32 = 8, PJRT_Buffer_Type_F16 = 10, PJRT_Buffer_Type_F32 = 11, PJRT_Buffer_Type_F64 = 12, PJRT_Buffer_Type_BF16 = 13
} PJRT_Buffer_Type;

typedef enum {
    PJRT_HostBufferSemantics_kImmutableOnlyDuringCall = 0, PJRT_HostBufferSemantics_kImmutableUntilTransferCompletes = 1,
    PJRT_HostBufferSemantics_kImmutableZeroCopy = 2, PJRT_HostBufferSemantics_kMutableZeroCopy = 3
} PJRT_HostBufferSemantics;

typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; int major_version; int minor_version; } PJRT_Api_Version;

typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_Error *error; } PJRT_Error_Destroy_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; const PJRT_Error *error; const char *message; size_t message_size; } PJRT_Error_Message_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; const PJRT_Error *error; PJRT_Error_Code code; } PJRT_Error_GetCode_Args;

typedef struct {
    size_t struct_size;
    PJRT_Extension_Base *extension_start;
    const char *name;
    size_t name_size;
    PJRT_NamedValue_Type type;
    union { const char *string_value; int64_t int64_value; const int64_t *int64_array_value; float float_value; bool bool_value; };
    size_t value_size;
} PJRT_NamedValue;

typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; } PJRT_Plugin_Initialize_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; const PJRT_NamedValue *attributes; size_t num_attributes; } PJRT_Plugin_Attributes_Args;

typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_Event *event; } PJRT_Event_Destroy_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_Event *event; bool is_ready; } PJRT_Event_IsReady_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_Event *event; } PJRT_Event_Error_Args;

typedef struct {
    size_t struct_size;
    PJRT_Extension_Base *extension_start;
    const PJRT_NamedValue *create_options;
    size_t num_options;
    void *kv_get_callback;
    void *kv_get_user_arg;
    void *kv_put_callback;
    void *kv_put_user_arg;
    PJRT_Client *client;
    void *kv_try_get_callback;
    void *kv_try_get_user_arg;
} PJRT_Client_Create_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_Client *client; } PJRT_Client_Destroy_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_Client *client; const char *platform_name; size_t platform_name_size; } PJRT_Client_PlatformName_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_Client *client; const char *platform_version; size_t platform_version_size; } PJRT_Client_PlatformVersion_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_Client *client; PJRT_Device *const *addressable_devices; size_t num_addressable_devices; } PJRT_Client_AddressableDevices_Args;

typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; char *code; size_t code_size; const char *format; size_t format_size; } PJRT_Program;
typedef struct {
    size_t struct_size;
    PJRT_Extension_Base *extension_start;
    PJRT_Client *client;
    const PJRT_Program *program;
    const char *compile_options;
    size_t compile_options_size;
    PJRT_LoadedExecutable *executable;
} PJRT_Client_Compile_Args;

typedef struct {
    size_t struct_size;
    PJRT_Extension_Base *extension_start;
    PJRT_Client *client;
    const void *data;
    PJRT_Buffer_Type type;
    const int64_t *dims;
    size_t num_dims;
    const int64_t *byte_strides;
    size_t num_byte_strides;
    PJRT_HostBufferSemantics host_buffer_semantics;
    PJRT_Device *device;
    PJRT_Memory *memory;
    void *device_layout;
    PJRT_Event *done_with_host_buffer;
    PJRT_Buffer *buffer;
} PJRT_Client_BufferFromHostBuffer_Args;

typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_DeviceDescription *device_description; int id; } PJRT_DeviceDescription_Id_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_DeviceDescription *device_description; int process_index; } PJRT_DeviceDescription_ProcessIndex_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_DeviceDescription *device_description; size_t num_attributes; const PJRT_NamedValue *attributes; } PJRT_DeviceDescription_Attributes_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_DeviceDescription *device_description; const char *device_kind; size_t device_kind_size; } PJRT_DeviceDescription_Kind_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_DeviceDescription *device_description; const char *to_string; size_t to_string_size; } PJRT_DeviceDescription_ToString_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_Device *device; PJRT_DeviceDescription *device_description; } PJRT_Device_GetDescription_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_Device *device; int local_hardware_id; } PJRT_Device_LocalHardwareId_Args;

typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_Executable *executable; } PJRT_Executable_Destroy_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_Executable *executable; const char *executable_name; size_t executable_name_size; } PJRT_Executable_Name_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_Executable *executable; size_t num_outputs; } PJRT_Executable_NumOutputs_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_LoadedExecutable *executable; } PJRT_LoadedExecutable_Destroy_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_LoadedExecutable *loaded_executable; PJRT_Executable *executable; } PJRT_LoadedExecutable_GetExecutable_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_LoadedExecutable *executable; PJRT_Device *const *addressable_devices; size_t num_addressable_devices; } PJRT_LoadedExecutable_AddressableDevices_Args;

typedef struct PJRT_SerializedExecutable PJRT_SerializedExecutable;
typedef struct {
    size_t struct_size;
    PJRT_Extension_Base *extension_start;
    const PJRT_Executable *executable;
    const char *serialized_bytes;
    size_t serialized_bytes_size;
    PJRT_SerializedExecutable *serialized_executable;
    void (*serialized_executable_deleter)(PJRT_SerializedExecutable *exec);
} PJRT_Executable_Serialize_Args;
typedef struct {
    size_t struct_size;
    PJRT_Extension_Base *extension_start;
    PJRT_Client *client;
    const char *serialized_executable;
    size_t serialized_executable_size;
    PJRT_LoadedExecutable *loaded_executable;
    const char *overridden_serialized_compile_options;
    size_t overridden_serialized_compile_options_size;
} PJRT_Executable_DeserializeAndLoad_Args;

typedef struct {
    size_t struct_size;
    PJRT_Extension_Base *extension_start;
    void **send_callbacks;
    void **recv_callbacks;
    size_t num_send_ops;
    size_t num_recv_ops;
    int launch_id;
    const int64_t *non_donatable_input_indices;
    size_t num_non_donatable_input_indices;
    PJRT_ExecuteContext *context;
    const char *call_location;
    size_t num_tasks;
    int *task_ids;
    int64_t *incarnation_ids;
} PJRT_ExecuteOptions;
typedef struct {
    size_t struct_size;
    PJRT_Extension_Base *extension_start;
    PJRT_LoadedExecutable *executable;
    PJRT_ExecuteOptions *options;
    PJRT_Buffer *const *const *argument_lists;
    size_t num_devices;
    size_t num_args;
    PJRT_Buffer **const *output_lists;
    PJRT_Event **device_complete_events;
    PJRT_Device *execute_device;
} PJRT_LoadedExecutable_Execute_Args;

typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_Buffer *buffer; } PJRT_Buffer_Destroy_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_Buffer *buffer; PJRT_Buffer_Type type; } PJRT_Buffer_ElementType_Args;
typedef struct { size_t struct_size; PJRT_Extension_Base *extension_start; PJRT_Buffer *buffer; const int64_t *dims; size_t num_dims; } PJRT_Buffer_Dimensions_Args;
typedef struct {
    size_t struct_size;
    PJRT_Extension_Base *extension_start;
    PJRT_Buffer *src;
    void *host_layout;
    void *dst;
    size_t dst_size;
    PJRT_Event *event;
} PJRT_Buffer_ToHostBuffer_Args;

/* The function table, in its published order, up to the last member the client calls. */
typedef struct {
    size_t struct_size;
    PJRT_Extension_Base *extension_start;
    PJRT_Api_Version pjrt_api_version;
    void *PJRT_Error_Destroy, *PJRT_Error_Message, *PJRT_Error_GetCode;
    void *PJRT_Plugin_Initialize, *PJRT_Plugin_Attributes;
    void *PJRT_Event_Destroy, *PJRT_Event_IsReady, *PJRT_Event_Error, *PJRT_Event_Await, *PJRT_Event_OnReady;
    void *PJRT_Client_Create, *PJRT_Client_Destroy, *PJRT_Client_PlatformName, *PJRT_Client_ProcessIndex, *PJRT_Client_PlatformVersion,
         *PJRT_Client_Devices, *PJRT_Client_AddressableDevices, *PJRT_Client_LookupDevice, *PJRT_Client_LookupAddressableDevice,
         *PJRT_Client_AddressableMemories, *PJRT_Client_Compile, *PJRT_Client_DefaultDeviceAssignment, *PJRT_Client_BufferFromHostBuffer;
    void *PJRT_DeviceDescription_Id, *PJRT_DeviceDescription_ProcessIndex, *PJRT_DeviceDescription_Attributes, *PJRT_DeviceDescription_Kind,
         *PJRT_DeviceDescription_DebugString, *PJRT_DeviceDescription_ToString;
    void *PJRT_Device_GetDescription, *PJRT_Device_IsAddressable, *PJRT_Device_LocalHardwareId, *PJRT_Device_AddressableMemories,
         *PJRT_Device_DefaultMemory, *PJRT_Device_MemoryStats;
    void *PJRT_Memory_Id, *PJRT_Memory_Kind, *PJRT_Memory_DebugString, *PJRT_Memory_ToString, *PJRT_Memory_AddressableByDevices;
    void *PJRT_Executable_Destroy, *PJRT_Executable_Name, *PJRT_Executable_NumReplicas, *PJRT_Executable_NumPartitions,
         *PJRT_Executable_NumOutputs, *PJRT_Executable_SizeOfGeneratedCodeInBytes, *PJRT_Executable_GetCostAnalysis,
         *PJRT_Executable_OutputMemoryKinds, *PJRT_Executable_OptimizedProgram, *PJRT_Executable_Serialize;
    void *PJRT_LoadedExecutable_Destroy, *PJRT_LoadedExecutable_GetExecutable, *PJRT_LoadedExecutable_AddressableDevices,
         *PJRT_LoadedExecutable_Delete, *PJRT_LoadedExecutable_IsDeleted, *PJRT_LoadedExecutable_Execute,
         *PJRT_Executable_DeserializeAndLoad, *PJRT_LoadedExecutable_Fingerprint;
    void *PJRT_Buffer_Destroy, *PJRT_Buffer_ElementType, *PJRT_Buffer_Dimensions, *PJRT_Buffer_UnpaddedDimensions,
         *PJRT_Buffer_DynamicDimensionIndices, *PJRT_Buffer_GetMemoryLayout, *PJRT_Buffer_OnDeviceSizeInBytes, *PJRT_Buffer_Device,
         *PJRT_Buffer_Memory, *PJRT_Buffer_Delete, *PJRT_Buffer_IsDeleted, *PJRT_Buffer_CopyToDevice, *PJRT_Buffer_ToHostBuffer;
} PJRT_Api;

#endif
