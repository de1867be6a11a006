package dev.fusedit.tensor.io;

import dev.fusedit.tensor.DType;

/** One tensor's header entry: dtype, shape, and its byte range within the data section. */
public record TensorInfo(String name, DType dtype, int[] shape, long begin, long end) {
    public long byteSize() {
        return end - begin;
    }
}
