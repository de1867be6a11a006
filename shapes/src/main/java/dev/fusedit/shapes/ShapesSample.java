package dev.fusedit.shapes;

/**
 * Sample {@code index} of a training stream: the caption the model sees ("" when dropped for
 * classifier-free guidance), the prompt it was drawn from (kept even when dropped) and the scene.
 */
public record ShapesSample(long index, String caption, ShapesPrompt prompt, Scene scene) {}
