package baton.http;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per caller: {@code perSecond} tokens a second, holding at most twice that, so a
 * caller may burst for two seconds and then goes at the rate. A request takes one token; without
 * one it gets 429 with the seconds until the next. Buckets that have filled up again are dropped
 * (a full bucket is the same as none), so the map holds only callers active in the last seconds.
 */
final class RateLimiter {

    private static final int SWEEP_EVERY = 1024;

    private final double perNano;
    private final double burst;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private int calls;

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    /** {@code perSecond} 0 lets every request through. */
    RateLimiter(double perSecond, LongSupplier nanoTime) {
        this.perNano = perSecond / 1e9;
        this.burst = Math.max(1, 2 * perSecond);
        this.nanoTime = nanoTime;
    }

    RateLimiter(double perSecond) {
        this(perSecond, System::nanoTime);
    }

    /** 0 when {@code caller} may go on (a token taken), else the whole seconds until it may (at least 1). */
    long acquire(String caller) {
        if (perNano <= 0) {
            return 0;
        }
        long now = nanoTime.getAsLong();
        sweepNow(now);
        Bucket bucket = buckets.computeIfAbsent(caller, c -> new Bucket(burst, now));
        synchronized (bucket) {
            refill(bucket, now);
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                if (!buckets.containsKey(caller)) {
                    buckets.put(caller, bucket); // swept meanwhile: keep the token taken
                }
                return 0;
            }
            double nanos = (1 - bucket.tokens) / perNano;
            return Math.max(1, (long) Math.ceil(nanos / 1e9));
        }
    }

    int size() {
        return buckets.size();
    }

    private void refill(Bucket bucket, long now) {
        bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.at) * perNano);
        bucket.at = now;
    }

    private void sweepNow(long now) {
        synchronized (this) {
            if (++calls < SWEEP_EVERY) {
                return;
            }
            calls = 0;
        }
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            Bucket bucket = it.next();
            synchronized (bucket) {
                refill(bucket, now);
                if (bucket.tokens >= burst) {
                    it.remove();
                }
            }
        }
    }
}
