/** Gemma text stream, FuseDiT, VAE, sampling pipeline and parity runner; arrives with the FuseDiT issue (see README.md). */
package dev.fusedit.model;
