/** How the agent waits between failed deliveries. */
export interface BackoffOptions {
  /** First wait, before jitter. Default 1000 ms. */
  baseMs?: number;
  /** Longest wait, before jitter and ignoring Retry-After. Default 300_000 ms (5 minutes). */
  maxMs?: number;
  /** Longest Retry-After honoured; a server asking for more waits this long. Default 3_600_000 ms. */
  maxRetryAfterMs?: number;
  /** Uniform in [0, 1); injected so tests pin the jitter. Default Math.random. */
  random?: () => number;
}

/**
 * The wait before retry number `failures` (1 = after the first failure):
 * exponential, with "equal jitter" — half the step is fixed and half random —
 * so a fleet of agents that lost the API at the same moment does not return
 * in lockstep, yet no agent retries at once. A server's Retry-After is a
 * floor: the agent never comes back earlier than asked.
 */
export function backoffDelay(
  failures: number,
  retryAfterMs: number | undefined,
  options: BackoffOptions = {},
): number {
  const base = options.baseMs ?? 1000;
  const max = options.maxMs ?? 300_000;
  const random = options.random ?? Math.random;
  const step = Math.min(max, base * 2 ** Math.max(0, Math.min(failures - 1, 30)));
  const jittered = step / 2 + (step / 2) * random();
  if (retryAfterMs === undefined) return Math.round(jittered);
  const asked = Math.min(retryAfterMs, options.maxRetryAfterMs ?? 3_600_000);
  return Math.round(Math.max(jittered, asked));
}
