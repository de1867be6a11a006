/** JMH benchmarks of the kernels against their peers (OpenBLAS, EJML). */
package dev.fusedit.jmh;
