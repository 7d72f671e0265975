/**
 * Per-destination fairness inside one worker: at most `perDestination` sends
 * in flight to any one destination (a webhook, or the email transport), so a
 * slow or failing receiver can hold only that many of the worker's send
 * slots; everyone else's deliveries keep flowing. Over the cap, a delivery is
 * handed back with a short wait instead of queueing inside the worker.
 */
export class DestinationLimiter {
  private readonly inFlight = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  /**
   * `perDestination`: sends in flight per destination in this process.
   * `maxWaiting`: deliveries that may wait in memory for a destination's slot
   * (default `2 × perDestination`); past that they are handed back.
   */
  constructor(
    readonly perDestination: number,
    readonly maxWaiting = perDestination * 2,
  ) {
    if (!Number.isInteger(perDestination) || perDestination < 1)
      throw new Error(`perDestination must be a positive integer, not ${perDestination}`);
  }

  /**
   * Waits for a slot of `key` when none is free: resolves once a release
   * hands it one. Undefined when `maxWaiting` are already waiting.
   */
  wait(key: string): Promise<void> | undefined {
    const queue = this.waiting.get(key) ?? [];
    if (queue.length >= this.maxWaiting) return undefined;
    this.waiting.set(key, queue);
    return new Promise((resolve) => queue.push(resolve));
  }

  /**
   * Takes a slot for `key`; false when it already has `perDestination` (or
   * `cap`, the channel's own `pacing.maxInFlight`, when lower) in flight.
   */
  tryAcquire(key: string, cap = this.perDestination): boolean {
    const n = this.inFlight.get(key) ?? 0;
    if (n >= Math.min(cap, this.perDestination)) return false;
    this.inFlight.set(key, n + 1);
    return true;
  }

  release(key: string): void {
    // A waiter takes the slot over: the count stays as it is.
    const next = this.waiting.get(key)?.shift();
    if (next) {
      if (this.waiting.get(key)?.length === 0) this.waiting.delete(key);
      next();
      return;
    }
    const n = (this.inFlight.get(key) ?? 0) - 1;
    if (n <= 0) this.inFlight.delete(key);
    else this.inFlight.set(key, n);
  }

  /** Sends in flight to `key` now. */
  count(key: string): number {
    return this.inFlight.get(key) ?? 0;
  }
}

/** The destination a delivery is limited under: its webhook, or the email transport. */
export function destinationKey(d: { channel: string; webhook_id: string | null }): string {
  return d.channel === "email" ? "email" : `webhook:${d.webhook_id ?? "deleted"}`;
}
