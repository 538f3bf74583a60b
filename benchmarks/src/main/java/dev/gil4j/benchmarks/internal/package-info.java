/** Plumbing of the benchmark runner: child processes with hard timeouts, and text tables. */
package dev.gil4j.benchmarks.internal;
