/** The TornadoVM kernel provider; arrives with the GPU issue (see README.md). */
package dev.fusedit.tornado;
