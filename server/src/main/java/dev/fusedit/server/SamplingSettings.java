package dev.fusedit.server;

/**
 * What images must share to be denoised in one batch: the batch runs one schedule of steps, one
 * guidance scale over one negative prompt, at one size. Requests with equal settings batch together.
 */
public record SamplingSettings(int width, int height, int steps, double guidance, String negativePrompt) {
}
