package dev.fusedit.training.data;

import dev.fusedit.tensor.Tensor;

import java.util.List;

/** Images [B, C, H, W] normalized to [-1, 1] (or latents) and their captions ("" = dropped). */
public record TrainingBatch(Tensor images, List<String> captions) {}
