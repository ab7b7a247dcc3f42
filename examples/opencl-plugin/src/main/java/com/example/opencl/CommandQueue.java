package com.example.opencl;

import com.example.opencl.internal.ffi.NativeOpenCl;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * One device's in-order {@code cl_command_queue} and the events of its commands not yet waited for. Commands run in
 * order, so waiting is needed only where the host reads results; {@link #synchronize} then reports the first command
 * that failed on the device, by name.
 */
final class CommandQueue {
    /** Pending events kept before the queue is drained, so a long run of launches holds bounded driver memory. */
    private static final int MAX_PENDING = 256;

    private final NativeOpenCl cl;
    private final MemorySegment queue;
    private final List<MemorySegment> pending = new ArrayList<>();
    private final List<String> names = new ArrayList<>();

    CommandQueue(NativeOpenCl cl, MemorySegment queue) {
        this.cl = cl;
        this.queue = queue;
    }

    MemorySegment handle() {
        return queue;
    }

    /** Records a command's event; drains the queue when many are pending. */
    void track(MemorySegment event, String name) {
        pending.add(event);
        names.add(name);
        if (pending.size() >= MAX_PENDING) {
            synchronize();
        }
    }

    /** Waits for every pending command, releases their events, and throws if one failed. */
    void synchronize() {
        try {
            cl.waitForEvents(pending, names);
        } finally {
            pending.forEach(cl::releaseEvent);
            pending.clear();
            names.clear();
        }
    }

    /** Waits for the queue and releases it. */
    void release() {
        try {
            synchronize();
            cl.finish(queue);
        } finally {
            cl.releaseQueue(queue);
        }
    }
}
