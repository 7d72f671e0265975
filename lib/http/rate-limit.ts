/**
 * Rate limiting of the API itself, so one runaway training script (or one
 * user's script polling history in a loop) cannot starve everyone else.
 *
 * A token bucket per key: it holds up to `limit` tokens, refills at `limit`
 * per minute, and each request takes one. A quiet caller may therefore burst
 * a whole minute's worth at once (a training sweep starting 500 jobs), while
 * a sustained flood is held to `limit / 60` requests per second. A refused
 * request takes no token, so a client that honours `Retry-After` gets through
 * on its next try.
 *
 * The buckets live in this process's memory: N web processes each allow the
 * limit (N × limit in all). Keeping them in PostgreSQL would cost a write per
 * request, and every producer request would update one hot row (the service
 * key's bucket) under a row lock, serialising ingest on exactly the path the
 * limit must keep fast. A shared limiter is a later step if one process per
 * host is not enough.
 */

/** The outcome of one request against its bucket. */
export interface RateLimitDecision {
  allowed: boolean;
  /** The bucket's size: requests per window. */
  limit: number;
  /** Whole requests left in the bucket after this one. */
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** Seconds until the next request would pass (0 when this one did). */
  retryAfterSeconds: number;
  windowSeconds: number;
}

export interface RateLimiter {
  /** Takes one token from `key`'s bucket of size `limit` at time `now`. */
  take(key: string, limit: number, now: Date): RateLimitDecision;
}

export interface RateLimiterOptions {
  /** The refill window: a bucket refills completely in this time. Default 60_000 ms. */
  windowMs?: number;
  /**
   * Most buckets kept. Past this, full buckets are dropped first (forgetting
   * a full bucket changes nothing), then the least recently used. Keys are
   * authenticated callers, so this bounds memory rather than shaping traffic.
   * Default 100_000.
   */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last computed, in ms. */
  at: number;
  /** The size it was last taken from (a configuration reload may change it). */
  limit: number;
}

export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  const windowMs = options.windowMs ?? 60_000;
  const maxKeys = options.maxKeys ?? 100_000;
  if (!(windowMs > 0)) throw new Error("createRateLimiter: windowMs must be positive");
  if (!(maxKeys >= 1)) throw new Error("createRateLimiter: maxKeys must be at least 1");
  const buckets = new Map<string, Bucket>();

  const refill = (bucket: Bucket, now: number) => {
    // A clock that steps back refills nothing (and never drains a bucket).
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(bucket.limit, bucket.tokens + (elapsed * bucket.limit) / windowMs);
    bucket.at = Math.max(bucket.at, now);
  };

  // Evicting down to 90% makes the scan rare: amortised, a few steps per request.
  const evictTo = Math.max(1, Math.floor(maxKeys * 0.9));
  function evict(now: number) {
    for (const [key, bucket] of buckets) {
      if (buckets.size <= evictTo) return;
      refill(bucket, now);
      if (bucket.tokens >= bucket.limit) buckets.delete(key);
    }
    // Map iteration is insertion order and `take` re-inserts: the oldest are least recently used.
    for (const key of buckets.keys()) {
      if (buckets.size <= evictTo) return;
      buckets.delete(key);
    }
  }

  return {
    take(key, limit, now) {
      const ms = now.getTime();
      const bucket = buckets.get(key) ?? { tokens: limit, at: ms, limit };
      buckets.delete(key);
      buckets.set(key, bucket);
      bucket.limit = limit;
      refill(bucket, ms);
      const allowed = bucket.tokens >= 1;
      if (allowed) bucket.tokens -= 1;
      const perToken = windowMs / limit / 1000;
      const decision: RateLimitDecision = {
        allowed,
        limit,
        remaining: Math.floor(bucket.tokens),
        resetSeconds: Math.ceil((limit - bucket.tokens) * perToken),
        retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) * perToken)),
        windowSeconds: Math.round(windowMs / 1000),
      };
      if (buckets.size > maxKeys) evict(ms);
      return decision;
    },
  };
}

/**
 * The IETF draft's headers (draft-ietf-httpapi-ratelimit-headers), sent on
 * every answer of a limited route so clients can pace themselves before they
 * are refused; `Retry-After` only on a refusal.
 */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  return {
    "ratelimit-limit": String(decision.limit),
    "ratelimit-remaining": String(decision.remaining),
    "ratelimit-reset": String(decision.resetSeconds),
    "ratelimit-policy": `${decision.limit};w=${decision.windowSeconds}`,
    ...(decision.allowed ? {} : { "retry-after": String(decision.retryAfterSeconds) }),
  };
}
