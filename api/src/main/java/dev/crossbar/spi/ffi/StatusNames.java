package dev.crossbar.spi.ffi;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The symbolic names of one native library's status codes ({@code CUresult}, {@code hipError_t},
 * {@code ncclResult_t}, ...): each library's table is its own data, looked up here the same way for all, so that every
 * {@link NativeCallException} carries a name, {@code UNKNOWN_<type>(<code>)} for a code newer than the table.
 */
public final class StatusNames {
    private final String type;
    private final Map<Integer, String> names;

    private StatusNames(String type, Map<Integer, String> names) {
        this.type = Objects.requireNonNull(type, "type is null");
        this.names = Map.copyOf(names);
    }

    /**
     * Returns the names of codes a header assigns one by one.
     *
     * @param type the C type of the codes, such as {@code CUresult}, named for unknown codes
     * @param names each code's name
     * @return the table
     */
    public static StatusNames of(String type, Map<Integer, String> names) {
        return new StatusNames(type, names);
    }

    /**
     * Returns the names of codes a header numbers from 0 without gaps.
     *
     * @param type the C type of the codes, such as {@code nvrtcResult}, named for unknown codes
     * @param names the names of codes 0, 1, 2, ...
     * @return the table
     */
    public static StatusNames numbered(String type, List<String> names) {
        Map<Integer, String> byCode = new HashMap<>();
        for (int code = 0; code < names.size(); code++) {
            byCode.put(code, names.get(code));
        }
        return new StatusNames(type, byCode);
    }

    /**
     * Returns the symbolic name of a code.
     *
     * @param code the code
     * @return its name, or {@code UNKNOWN_<type>(<code>)} for a code the table lacks
     */
    public String name(int code) {
        String name = names.get(code);
        return name != null ? name : String.format(Locale.ROOT, "UNKNOWN_%s(%d)", type, code);
    }
}
