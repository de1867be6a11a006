package dev.fusedit.model.parity;

import dev.fusedit.tensor.Tensor;

/** Small conversions of case inputs. */
final class ParityInputs {
    private ParityInputs() {}

    /** A 2-d integer tensor (ids, masks) as int rows. */
    static int[][] intRows(Tensor t) {
        if (t.dim() != 2) throw new IllegalArgumentException("expected a 2-d tensor, got " + t.dim() + "-d");
        int[][] rows = new int[t.size(0)][t.size(1)];
        for (int i = 0; i < rows.length; i++)
            for (int j = 0; j < rows[i].length; j++) rows[i][j] = (int) t.get(i, j);
        return rows;
    }
}
