package dev.gil4j.lab.fit;

/**
 * The runs at one thread count, summarised.
 *
 * @param n the thread count
 * @param runs how many runs were measured at {@code n}
 * @param median the median throughput of those runs
 * @param spread {@code (max - min) / median} of those runs: 0.1 means the runs disagree by 10%; 0
 *     for a single run
 */
public record Level(int n, int runs, double median, double spread) {}
