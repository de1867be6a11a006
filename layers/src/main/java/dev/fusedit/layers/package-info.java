/** Neural-network layers with named parameters; arrives with the Gemma-2 issue (see README.md). */
package dev.fusedit.layers;
