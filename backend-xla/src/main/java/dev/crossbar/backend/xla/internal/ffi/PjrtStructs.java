package dev.crossbar.backend.xla.internal.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.stream.Stream;

/**
 * The PJRT C API structs this client reads and writes, laid out as in openxla's {@code xla/pjrt/c/pjrt_c_api.h}
 * (API 0.94; the members used here are unchanged since 0.33). Names are the C names, so that the layout test can ask
 * the C compiler for the offset of each member. Argument structs carry all members of 0.94 even where this client
 * leaves them zero: a plugin checks that {@code struct_size} is at least the size it was built with, and reads only
 * the members it knows.
 */
final class PjrtStructs {
    static final ValueLayout SIZE_T = (ValueLayout) Linker.nativeLinker().canonicalLayouts().get("size_t");
    /** C enums are ints on every platform PJRT plugins are built for. */
    private static final ValueLayout ENUM = JAVA_INT;

    static final StructLayout PJRT_Api_Version = args("PJRT_Api_Version", JAVA_INT.withName("major_version"), JAVA_INT.withName("minor_version"));

    /** The function table's members in their published order, up to the last one this client calls. */
    static final List<String> API_FUNCTIONS = List.of(
            "PJRT_Error_Destroy", "PJRT_Error_Message", "PJRT_Error_GetCode",
            "PJRT_Plugin_Initialize", "PJRT_Plugin_Attributes",
            "PJRT_Event_Destroy", "PJRT_Event_IsReady", "PJRT_Event_Error", "PJRT_Event_Await", "PJRT_Event_OnReady",
            "PJRT_Client_Create", "PJRT_Client_Destroy", "PJRT_Client_PlatformName", "PJRT_Client_ProcessIndex", "PJRT_Client_PlatformVersion",
            "PJRT_Client_Devices", "PJRT_Client_AddressableDevices", "PJRT_Client_LookupDevice", "PJRT_Client_LookupAddressableDevice",
            "PJRT_Client_AddressableMemories", "PJRT_Client_Compile", "PJRT_Client_DefaultDeviceAssignment", "PJRT_Client_BufferFromHostBuffer",
            "PJRT_DeviceDescription_Id", "PJRT_DeviceDescription_ProcessIndex", "PJRT_DeviceDescription_Attributes", "PJRT_DeviceDescription_Kind",
            "PJRT_DeviceDescription_DebugString", "PJRT_DeviceDescription_ToString",
            "PJRT_Device_GetDescription", "PJRT_Device_IsAddressable", "PJRT_Device_LocalHardwareId", "PJRT_Device_AddressableMemories",
            "PJRT_Device_DefaultMemory", "PJRT_Device_MemoryStats",
            "PJRT_Memory_Id", "PJRT_Memory_Kind", "PJRT_Memory_DebugString", "PJRT_Memory_ToString", "PJRT_Memory_AddressableByDevices",
            "PJRT_Executable_Destroy", "PJRT_Executable_Name", "PJRT_Executable_NumReplicas", "PJRT_Executable_NumPartitions",
            "PJRT_Executable_NumOutputs", "PJRT_Executable_SizeOfGeneratedCodeInBytes", "PJRT_Executable_GetCostAnalysis",
            "PJRT_Executable_OutputMemoryKinds", "PJRT_Executable_OptimizedProgram", "PJRT_Executable_Serialize",
            "PJRT_LoadedExecutable_Destroy", "PJRT_LoadedExecutable_GetExecutable", "PJRT_LoadedExecutable_AddressableDevices",
            "PJRT_LoadedExecutable_Delete", "PJRT_LoadedExecutable_IsDeleted", "PJRT_LoadedExecutable_Execute",
            "PJRT_Executable_DeserializeAndLoad", "PJRT_LoadedExecutable_Fingerprint",
            "PJRT_Buffer_Destroy", "PJRT_Buffer_ElementType", "PJRT_Buffer_Dimensions", "PJRT_Buffer_UnpaddedDimensions",
            "PJRT_Buffer_DynamicDimensionIndices", "PJRT_Buffer_GetMemoryLayout", "PJRT_Buffer_OnDeviceSizeInBytes", "PJRT_Buffer_Device",
            "PJRT_Buffer_Memory", "PJRT_Buffer_Delete", "PJRT_Buffer_IsDeleted", "PJRT_Buffer_CopyToDevice", "PJRT_Buffer_ToHostBuffer");

    static final StructLayout PJRT_Api = args("PJRT_Api", Stream.concat(Stream.of(PJRT_Api_Version.withName("pjrt_api_version")),
            API_FUNCTIONS.stream().map(ADDRESS::withName)).toArray(MemoryLayout[]::new));

    static final StructLayout PJRT_Error_Destroy_Args = args("PJRT_Error_Destroy_Args", ADDRESS.withName("error"));
    static final StructLayout PJRT_Error_Message_Args = args("PJRT_Error_Message_Args",
            ADDRESS.withName("error"), ADDRESS.withName("message"), SIZE_T.withName("message_size"));
    static final StructLayout PJRT_Error_GetCode_Args = args("PJRT_Error_GetCode_Args", ADDRESS.withName("error"), ENUM.withName("code"));

    static final StructLayout PJRT_NamedValue = args("PJRT_NamedValue",
            ADDRESS.withName("name"), SIZE_T.withName("name_size"), ENUM.withName("type"),
            MemoryLayout.unionLayout(ADDRESS.withName("string_value"), JAVA_LONG.withName("int64_value"), ADDRESS.withName("int64_array_value"),
                    JAVA_FLOAT.withName("float_value"), JAVA_BOOLEAN.withName("bool_value")).withName("value"),
            SIZE_T.withName("value_size"));

    static final StructLayout PJRT_Plugin_Initialize_Args = args("PJRT_Plugin_Initialize_Args");
    static final StructLayout PJRT_Plugin_Attributes_Args = args("PJRT_Plugin_Attributes_Args",
            ADDRESS.withName("attributes"), SIZE_T.withName("num_attributes"));

    static final StructLayout PJRT_Event_Destroy_Args = args("PJRT_Event_Destroy_Args", ADDRESS.withName("event"));
    static final StructLayout PJRT_Event_IsReady_Args = args("PJRT_Event_IsReady_Args", ADDRESS.withName("event"), JAVA_BOOLEAN.withName("is_ready"));
    static final StructLayout PJRT_Event_Error_Args = args("PJRT_Event_Error_Args", ADDRESS.withName("event"));

    static final StructLayout PJRT_Client_Create_Args = args("PJRT_Client_Create_Args",
            ADDRESS.withName("create_options"), SIZE_T.withName("num_options"),
            ADDRESS.withName("kv_get_callback"), ADDRESS.withName("kv_get_user_arg"),
            ADDRESS.withName("kv_put_callback"), ADDRESS.withName("kv_put_user_arg"),
            ADDRESS.withName("client"),
            ADDRESS.withName("kv_try_get_callback"), ADDRESS.withName("kv_try_get_user_arg"));
    static final StructLayout PJRT_Client_Destroy_Args = args("PJRT_Client_Destroy_Args", ADDRESS.withName("client"));
    static final StructLayout PJRT_Client_PlatformName_Args = args("PJRT_Client_PlatformName_Args",
            ADDRESS.withName("client"), ADDRESS.withName("platform_name"), SIZE_T.withName("platform_name_size"));
    static final StructLayout PJRT_Client_PlatformVersion_Args = args("PJRT_Client_PlatformVersion_Args",
            ADDRESS.withName("client"), ADDRESS.withName("platform_version"), SIZE_T.withName("platform_version_size"));
    static final StructLayout PJRT_Client_AddressableDevices_Args = args("PJRT_Client_AddressableDevices_Args",
            ADDRESS.withName("client"), ADDRESS.withName("addressable_devices"), SIZE_T.withName("num_addressable_devices"));

    static final StructLayout PJRT_Program = args("PJRT_Program",
            ADDRESS.withName("code"), SIZE_T.withName("code_size"), ADDRESS.withName("format"), SIZE_T.withName("format_size"));
    static final StructLayout PJRT_Client_Compile_Args = args("PJRT_Client_Compile_Args",
            ADDRESS.withName("client"), ADDRESS.withName("program"), ADDRESS.withName("compile_options"), SIZE_T.withName("compile_options_size"),
            ADDRESS.withName("executable"));

    static final StructLayout PJRT_Client_BufferFromHostBuffer_Args = args("PJRT_Client_BufferFromHostBuffer_Args",
            ADDRESS.withName("client"), ADDRESS.withName("data"), ENUM.withName("type"),
            ADDRESS.withName("dims"), SIZE_T.withName("num_dims"),
            ADDRESS.withName("byte_strides"), SIZE_T.withName("num_byte_strides"),
            ENUM.withName("host_buffer_semantics"),
            ADDRESS.withName("device"), ADDRESS.withName("memory"), ADDRESS.withName("device_layout"),
            ADDRESS.withName("done_with_host_buffer"), ADDRESS.withName("buffer"));

    static final StructLayout PJRT_DeviceDescription_Id_Args = args("PJRT_DeviceDescription_Id_Args",
            ADDRESS.withName("device_description"), JAVA_INT.withName("id"));
    static final StructLayout PJRT_DeviceDescription_ProcessIndex_Args = args("PJRT_DeviceDescription_ProcessIndex_Args",
            ADDRESS.withName("device_description"), JAVA_INT.withName("process_index"));
    // Unlike the plugin attributes, the count comes before the array here.
    static final StructLayout PJRT_DeviceDescription_Attributes_Args = args("PJRT_DeviceDescription_Attributes_Args",
            ADDRESS.withName("device_description"), SIZE_T.withName("num_attributes"), ADDRESS.withName("attributes"));
    static final StructLayout PJRT_DeviceDescription_Kind_Args = args("PJRT_DeviceDescription_Kind_Args",
            ADDRESS.withName("device_description"), ADDRESS.withName("device_kind"), SIZE_T.withName("device_kind_size"));
    static final StructLayout PJRT_DeviceDescription_ToString_Args = args("PJRT_DeviceDescription_ToString_Args",
            ADDRESS.withName("device_description"), ADDRESS.withName("to_string"), SIZE_T.withName("to_string_size"));
    static final StructLayout PJRT_Device_GetDescription_Args = args("PJRT_Device_GetDescription_Args",
            ADDRESS.withName("device"), ADDRESS.withName("device_description"));
    static final StructLayout PJRT_Device_LocalHardwareId_Args = args("PJRT_Device_LocalHardwareId_Args",
            ADDRESS.withName("device"), JAVA_INT.withName("local_hardware_id"));

    static final StructLayout PJRT_Executable_Destroy_Args = args("PJRT_Executable_Destroy_Args", ADDRESS.withName("executable"));
    static final StructLayout PJRT_Executable_Name_Args = args("PJRT_Executable_Name_Args",
            ADDRESS.withName("executable"), ADDRESS.withName("executable_name"), SIZE_T.withName("executable_name_size"));
    static final StructLayout PJRT_Executable_NumOutputs_Args = args("PJRT_Executable_NumOutputs_Args",
            ADDRESS.withName("executable"), SIZE_T.withName("num_outputs"));
    static final StructLayout PJRT_LoadedExecutable_Destroy_Args = args("PJRT_LoadedExecutable_Destroy_Args", ADDRESS.withName("executable"));
    static final StructLayout PJRT_LoadedExecutable_GetExecutable_Args = args("PJRT_LoadedExecutable_GetExecutable_Args",
            ADDRESS.withName("loaded_executable"), ADDRESS.withName("executable"));
    static final StructLayout PJRT_LoadedExecutable_AddressableDevices_Args = args("PJRT_LoadedExecutable_AddressableDevices_Args",
            ADDRESS.withName("executable"), ADDRESS.withName("addressable_devices"), SIZE_T.withName("num_addressable_devices"));

    static final StructLayout PJRT_Executable_Serialize_Args = args("PJRT_Executable_Serialize_Args",
            ADDRESS.withName("executable"), ADDRESS.withName("serialized_bytes"), SIZE_T.withName("serialized_bytes_size"),
            ADDRESS.withName("serialized_executable"), ADDRESS.withName("serialized_executable_deleter"));
    static final StructLayout PJRT_Executable_DeserializeAndLoad_Args = args("PJRT_Executable_DeserializeAndLoad_Args",
            ADDRESS.withName("client"), ADDRESS.withName("serialized_executable"), SIZE_T.withName("serialized_executable_size"),
            ADDRESS.withName("loaded_executable"),
            ADDRESS.withName("overridden_serialized_compile_options"), SIZE_T.withName("overridden_serialized_compile_options_size"));

    static final StructLayout PJRT_ExecuteOptions = args("PJRT_ExecuteOptions",
            ADDRESS.withName("send_callbacks"), ADDRESS.withName("recv_callbacks"), SIZE_T.withName("num_send_ops"), SIZE_T.withName("num_recv_ops"),
            JAVA_INT.withName("launch_id"),
            ADDRESS.withName("non_donatable_input_indices"), SIZE_T.withName("num_non_donatable_input_indices"),
            ADDRESS.withName("context"), ADDRESS.withName("call_location"),
            SIZE_T.withName("num_tasks"), ADDRESS.withName("task_ids"), ADDRESS.withName("incarnation_ids"));
    static final StructLayout PJRT_LoadedExecutable_Execute_Args = args("PJRT_LoadedExecutable_Execute_Args",
            ADDRESS.withName("executable"), ADDRESS.withName("options"), ADDRESS.withName("argument_lists"),
            SIZE_T.withName("num_devices"), SIZE_T.withName("num_args"),
            ADDRESS.withName("output_lists"), ADDRESS.withName("device_complete_events"), ADDRESS.withName("execute_device"));

    static final StructLayout PJRT_Buffer_Destroy_Args = args("PJRT_Buffer_Destroy_Args", ADDRESS.withName("buffer"));
    static final StructLayout PJRT_Buffer_ElementType_Args = args("PJRT_Buffer_ElementType_Args", ADDRESS.withName("buffer"), ENUM.withName("type"));
    static final StructLayout PJRT_Buffer_Dimensions_Args = args("PJRT_Buffer_Dimensions_Args",
            ADDRESS.withName("buffer"), ADDRESS.withName("dims"), SIZE_T.withName("num_dims"));
    static final StructLayout PJRT_Buffer_ToHostBuffer_Args = args("PJRT_Buffer_ToHostBuffer_Args",
            ADDRESS.withName("src"), ADDRESS.withName("host_layout"), ADDRESS.withName("dst"), SIZE_T.withName("dst_size"), ADDRESS.withName("event"));

    /** Every struct above, for the layout test. */
    static final List<StructLayout> ALL = List.of(PJRT_Api_Version, PJRT_Api, PJRT_Error_Destroy_Args, PJRT_Error_Message_Args,
            PJRT_Error_GetCode_Args, PJRT_NamedValue, PJRT_Plugin_Initialize_Args, PJRT_Plugin_Attributes_Args, PJRT_Event_Destroy_Args,
            PJRT_Event_IsReady_Args, PJRT_Event_Error_Args, PJRT_Client_Create_Args, PJRT_Client_Destroy_Args, PJRT_Client_PlatformName_Args,
            PJRT_Client_PlatformVersion_Args, PJRT_Client_AddressableDevices_Args, PJRT_Program, PJRT_Client_Compile_Args,
            PJRT_Client_BufferFromHostBuffer_Args, PJRT_DeviceDescription_Id_Args, PJRT_DeviceDescription_ProcessIndex_Args,
            PJRT_DeviceDescription_Attributes_Args, PJRT_DeviceDescription_Kind_Args, PJRT_DeviceDescription_ToString_Args,
            PJRT_Device_GetDescription_Args, PJRT_Device_LocalHardwareId_Args, PJRT_Executable_Destroy_Args, PJRT_Executable_Name_Args,
            PJRT_Executable_NumOutputs_Args, PJRT_LoadedExecutable_Destroy_Args, PJRT_LoadedExecutable_GetExecutable_Args,
            PJRT_LoadedExecutable_AddressableDevices_Args, PJRT_Executable_Serialize_Args, PJRT_Executable_DeserializeAndLoad_Args,
            PJRT_ExecuteOptions, PJRT_LoadedExecutable_Execute_Args, PJRT_Buffer_Destroy_Args,
            PJRT_Buffer_ElementType_Args, PJRT_Buffer_Dimensions_Args, PJRT_Buffer_ToHostBuffer_Args);

    private PjrtStructs() {
    }

    /** Every PJRT struct begins with its size and the head of its extension chain. */
    private static StructLayout args(String name, MemoryLayout... members) {
        MemoryLayout[] all = new MemoryLayout[members.length + 2];
        all[0] = SIZE_T.withName("struct_size");
        all[1] = ADDRESS.withName("extension_start");
        System.arraycopy(members, 0, all, 2, members.length);
        return CStruct.of(name, all);
    }
}
