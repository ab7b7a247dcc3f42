package dev.crossbar.backend.xla.internal.ffi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;

/** Builds struct layouts the way a C compiler lays structs out on this platform: each member at its natural alignment. */
final class CStruct {
    private CStruct() {
    }

    /**
     * Lays out members in order, inserting the padding a C compiler inserts before a member whose alignment the
     * previous member's end does not meet, and at the end up to the struct's alignment.
     */
    static StructLayout of(String name, MemoryLayout... members) {
        List<MemoryLayout> laidOut = new ArrayList<>();
        long offset = 0;
        long alignment = 1;
        for (MemoryLayout member : members) {
            long gap = padding(offset, member.byteAlignment());
            if (gap > 0) {
                laidOut.add(MemoryLayout.paddingLayout(gap));
                offset += gap;
            }
            laidOut.add(member);
            offset += member.byteSize();
            alignment = Math.max(alignment, member.byteAlignment());
        }
        long tail = padding(offset, alignment);
        if (tail > 0) {
            laidOut.add(MemoryLayout.paddingLayout(tail));
        }
        return MemoryLayout.structLayout(laidOut.toArray(MemoryLayout[]::new)).withName(name);
    }

    private static long padding(long offset, long alignment) {
        return (alignment - offset % alignment) % alignment;
    }
}
