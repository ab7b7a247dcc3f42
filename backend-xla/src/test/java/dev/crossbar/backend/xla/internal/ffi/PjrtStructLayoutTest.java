package dev.crossbar.backend.xla.internal.ffi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.UnionLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PjrtStructLayoutTest {

    /** Every member offset and every struct size of the Java layouts equals what gcc computes for the C declarations. */
    @Test
    void javaLayoutsMatchTheCCompiler() throws IOException {
        FakePjrtPlugin.requireGcc();
        Map<String, Long> expected = new LinkedHashMap<>();
        StringBuilder probe = new StringBuilder("#include <stdio.h>\n#include \"pjrt_abi.h\"\nint main(void) {\n");
        for (StructLayout struct : PjrtStructs.ALL) {
            String name = struct.name().orElseThrow();
            expected.put(name + " size", struct.byteSize());
            probe.append(String.format("    printf(\"%s size %%zu\\n\", sizeof(%s));%n", name, name));
            for (String[] member : members(struct)) {
                expected.put(name + "." + member[0], Long.parseLong(member[1]));
                probe.append(String.format("    printf(\"%s.%s %%zu\\n\", offsetof(%s, %s));%n", name, member[0], name, member[0]));
            }
        }
        probe.append("    return 0;\n}\n");
        Path build = FakePjrtPlugin.buildDirectory();
        Files.createDirectories(build);
        Path source = Files.writeString(build.resolve("pjrt_layout_probe.c"), probe);
        Path binary = build.resolve("pjrt_layout_probe");
        FakePjrtPlugin.run(List.of("gcc", "-I", FakePjrtPlugin.SOURCE_DIRECTORY.toAbsolutePath().toString(), "-o", binary.toString(), source.toString()));

        Map<String, Long> actual = new LinkedHashMap<>();
        for (String line : FakePjrtPlugin.run(List.of(binary.toString())).strip().split("\n")) {
            int space = line.lastIndexOf(' ');
            actual.put(line.substring(0, space), Long.parseLong(line.substring(space + 1)));
        }
        assertEquals(expected, actual);
        assertEquals(PjrtStructs.ALL.size(), expected.keySet().stream().filter(key -> key.endsWith(" size")).count());
    }

    /**
     * Offsets worked out by hand from the published pjrt_c_api.h for LP64 (8-byte size_t and pointers, 4-byte enums):
     * an independent check of both the Java layouts and the test header, for the members a wrong guess would hurt most.
     */
    @Test
    void layoutsMatchOffsetsDerivedFromThePublishedHeader() {
        // PJRT_Api: struct_size, extension_start, then the 24-byte PJRT_Api_Version, then one pointer per function.
        assertEquals(16, PjrtStructs.PJRT_Api.byteOffset(groupElement("pjrt_api_version")));
        assertEquals(40, PjrtStructs.PJRT_Api.byteOffset(groupElement("PJRT_Error_Destroy")));
        assertEquals(40 + 8 * 20, PjrtStructs.PJRT_Api.byteOffset(groupElement("PJRT_Client_Compile")));
        assertEquals(40 + 8 * 55, PjrtStructs.PJRT_Api.byteOffset(groupElement("PJRT_LoadedExecutable_Execute")));
        assertEquals(40 + 8 * 70, PjrtStructs.PJRT_Api.byteOffset(groupElement("PJRT_Buffer_ToHostBuffer")));
        assertEquals(608, PjrtStructs.PJRT_Api.byteSize());
        // The enum `type` at 32 is followed by 4 bytes of padding; host_buffer_semantics at 72 likewise.
        assertEquals(32, PjrtStructs.PJRT_Client_BufferFromHostBuffer_Args.byteOffset(groupElement("type")));
        assertEquals(40, PjrtStructs.PJRT_Client_BufferFromHostBuffer_Args.byteOffset(groupElement("dims")));
        assertEquals(72, PjrtStructs.PJRT_Client_BufferFromHostBuffer_Args.byteOffset(groupElement("host_buffer_semantics")));
        assertEquals(104, PjrtStructs.PJRT_Client_BufferFromHostBuffer_Args.byteOffset(groupElement("done_with_host_buffer")));
        assertEquals(120, PjrtStructs.PJRT_Client_BufferFromHostBuffer_Args.byteSize());
        // The anonymous union of PJRT_NamedValue starts after name, name_size and the 4-byte type padded to 8.
        assertEquals(40, PjrtStructs.PJRT_NamedValue.byteOffset(groupElement("value")));
        assertEquals(56, PjrtStructs.PJRT_NamedValue.byteSize());
        assertEquals(64, PjrtStructs.PJRT_Client_Create_Args.byteOffset(groupElement("client")));
        assertEquals(24, PjrtStructs.PJRT_DeviceDescription_Attributes_Args.byteOffset(groupElement("num_attributes")));
        assertEquals(72, PjrtStructs.PJRT_LoadedExecutable_Execute_Args.byteOffset(groupElement("execute_device")));
        assertEquals(48, PjrtStructs.PJRT_ExecuteOptions.byteOffset(groupElement("launch_id")));
        assertEquals(112, PjrtStructs.PJRT_ExecuteOptions.byteSize());
    }

    /** The named members of a struct with their offsets; a union's members share its offset (C's anonymous union). */
    private static List<String[]> members(GroupLayout struct) {
        List<String[]> members = new ArrayList<>();
        long offset = 0;
        for (MemoryLayout member : struct.memberLayouts()) {
            if (member instanceof UnionLayout union) {
                for (MemoryLayout alternative : union.memberLayouts()) {
                    members.add(new String[] {alternative.name().orElseThrow(), Long.toString(offset)});
                }
            } else if (!(member instanceof PaddingLayout)) {
                members.add(new String[] {member.name().orElseThrow(), Long.toString(offset)});
            }
            offset += member.byteSize();
        }
        return members;
    }
}
