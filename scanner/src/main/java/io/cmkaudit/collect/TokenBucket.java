package io.cmkaudit.collect;

/**
 * A client-side token bucket: {@code rate} tokens per second up to {@code burst}, starting full; each request takes
 * one token, waiting for it when the bucket is empty. Waiters are served in arrival order: a request that finds the
 * bucket empty reserves the next token (the count goes negative) and sleeps until it is due, so the bucket never
 * lets more than {@code burst + rate × t} requests through in any {@code t} seconds. Thread-safe.
 */
final class TokenBucket {

    private final double rate;
    private final double burst;
    private double tokens;
    private long last;

    /**
     * @param rate  refill, tokens per second, positive
     * @param burst bucket size, at least 1
     */
    TokenBucket(double rate, double burst) {
        if (!(rate > 0) || !(burst >= 1)) {
            throw new IllegalArgumentException("rate must be > 0 and burst >= 1, got " + rate + ", " + burst);
        }
        this.rate = rate;
        this.burst = burst;
        this.tokens = burst;
        this.last = System.nanoTime();
    }

    /**
     * Takes one token, sleeping until it is due.
     *
     * @return nanoseconds waited (0 when a token was there)
     * @throws InterruptedException when interrupted while waiting (the token stays reserved)
     */
    long acquire() throws InterruptedException {
        long wait = reserve(System.nanoTime());
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        return wait;
    }

    /**
     * Reserves one token at {@code now}.
     *
     * @param now {@link System#nanoTime()} value
     * @return nanoseconds until the reserved token is due (0 when available now)
     */
    synchronized long reserve(long now) {
        if (now > last) {
            tokens = Math.min(burst, tokens + (now - last) / 1e9 * rate);
            last = now;
        }
        tokens -= 1;
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / rate * 1e9);
    }

    /**
     * @param now {@link System#nanoTime()} value
     * @return nanoseconds a request arriving now would wait, without reserving
     */
    synchronized long waitAt(long now) {
        double t = Math.min(burst, tokens + Math.max(0, now - last) / 1e9 * rate) - 1;
        return t >= 0 ? 0 : (long) Math.ceil(-t / rate * 1e9);
    }
}
