package dev.crossbar.spi.ffi;

import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusNamesTest {
    @Test
    void namesAssignedCodesAndAnUnlistedOneWithTypeAndNumber() {
        StatusNames names = StatusNames.of("CUresult", Map.ofEntries(entry(0, "CUDA_SUCCESS"), entry(100, "CUDA_ERROR_NO_DEVICE")));

        assertEquals("CUDA_SUCCESS", names.name(0));
        assertEquals("CUDA_ERROR_NO_DEVICE", names.name(100));
        assertEquals("UNKNOWN_CUresult(12345)", names.name(12345));
    }

    @Test
    void numbersAListFromZeroAndNamesCodesOutsideIt() {
        StatusNames names = StatusNames.numbered("hiprtcResult", List.of("HIPRTC_SUCCESS", "HIPRTC_ERROR_OUT_OF_MEMORY"));

        assertEquals("HIPRTC_SUCCESS", names.name(0));
        assertEquals("HIPRTC_ERROR_OUT_OF_MEMORY", names.name(1));
        assertEquals("UNKNOWN_hiprtcResult(2)", names.name(2));
        assertEquals("UNKNOWN_hiprtcResult(-1)", names.name(-1));
    }
}
