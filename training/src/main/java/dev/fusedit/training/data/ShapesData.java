package dev.fusedit.training.data;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.ElementAccess;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.model.pipeline.RgbImage;
import dev.fusedit.shapes.ShapesSample;
import dev.fusedit.shapes.ShapesStream;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** The shapes world as training batches: 32×32 RGB scenes in [-1, 1] with their captions. */
public final class ShapesData implements TrainingData {
    /** The side of every shapes image. */
    public static final int RESOLUTION = 32;

    private final ShapesStream stream;

    public ShapesData(long seed, double dropRate) {
        this.stream = new ShapesStream(seed, dropRate);
    }

    @Override
    public TrainingBatch batch(long index, int size) {
        List<String> captions = new ArrayList<>(size);
        Tensor images = Tensor.zeros(DType.F32, size, 3, RESOLUTION, RESOLUTION);
        MemorySegment px = images.data();
        for (int i = 0; i < size; i++) {
            ShapesSample s = stream.sample(index * size + i);
            captions.add(s.caption());
            writeImage(s.scene().render(), px, (long) i * 3 * RESOLUTION * RESOLUTION);
        }
        return new TrainingBatch(images, captions);
    }

    /** HWC bytes to CHW floats in [-1, 1] (x / 127.5 − 1, as ToTensor + Normalize(0.5, 0.5)). */
    static void writeImage(RgbImage img, MemorySegment out, long at) {
        int hw = img.width() * img.height();
        byte[] p = img.pixels();
        for (int i = 0; i < hw; i++)
            for (int c = 0; c < 3; c++)
                out.setAtIndex(ElementAccess.F32, at + (long) c * hw + i, (Byte.toUnsignedInt(p[i * 3 + c]) / 255f - 0.5f) / 0.5f);
    }
}
