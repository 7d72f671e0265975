import type { ChannelResult } from "../channels/channel.types";

/** The longest wait a receiver's Retry-After may impose: a day. */
export const MAX_RETRY_AFTER_MS = 24 * 3600_000;
/**
 * How often a delivery that failed for the deployment's reasons (a key that
 * cannot decrypt its webhook) is tried again: it never gives up, since the
 * operator may yet restore the key.
 */
export const OPERATOR_RETRY_MS = 5 * 60_000;

/** What an attempt leaves on its delivery row, and on its webhook. */
export interface NextStep {
  status: "delivered" | "retrying" | "failed" | "skipped";
  /** When a retrying delivery is due again; null otherwise. */
  nextAttemptAt: Date | null;
  /** The destination is gone: disable the webhook now. */
  revoked: boolean;
  /** Nothing goes to this destination before then (a 429 with a wait). */
  holdUntil: Date | null;
  /** A failure that counts towards the webhook's consecutive failures (a delivery that gave up). */
  countsAsFailure: boolean;
}

/**
 * The retry policy, pure. `attempts` counts this attempt (1 for the first);
 * `scheduleSeconds[k]` is the wait after attempt k + 1, so a delivery makes at
 * most `scheduleSeconds.length + 1` attempts. A receiver's Retry-After (or
 * Discord's `retry_after`) lengthens a wait, never shortens it, up to a day.
 * 3xx, other 4xx and blocked addresses fail at once; 410 and "no longer
 * exists" answers revoke.
 */
export function nextStep(
  result: ChannelResult,
  attempts: number,
  scheduleSeconds: readonly number[],
  now: Date,
): NextStep {
  const at = (ms: number) => new Date(now.getTime() + ms);
  const step = { revoked: false, holdUntil: null, countsAsFailure: false };
  switch (result.verdict) {
    case "delivered":
      return { ...step, status: "delivered", nextAttemptAt: null };
    case "skipped":
      return { ...step, status: "skipped", nextAttemptAt: null };
    case "failed":
      return { ...step, status: "failed", nextAttemptAt: null, countsAsFailure: true };
    case "revoked":
      return {
        ...step,
        status: "failed",
        nextAttemptAt: null,
        revoked: true,
        countsAsFailure: true,
      };
    case "retry": {
      if (result.operatorError)
        return { ...step, status: "retrying", nextAttemptAt: at(OPERATOR_RETRY_MS) };
      // A destination that moved (Telegram's supergroup migration) is tried again at
      // once, but within the attempt cap: a server that keeps moving it must not loop.
      if (result.updateDestination && attempts <= scheduleSeconds.length)
        return { ...step, status: "retrying", nextAttemptAt: now };
      const holdUntil =
        result.statusCode === 429 && result.afterMs
          ? at(Math.min(MAX_RETRY_AFTER_MS, result.afterMs))
          : null;
      if (attempts > scheduleSeconds.length)
        return { ...step, status: "failed", nextAttemptAt: null, holdUntil, countsAsFailure: true };
      const waitMs = Math.min(
        MAX_RETRY_AFTER_MS,
        Math.max((scheduleSeconds[attempts - 1] ?? 0) * 1000, result.afterMs ?? 0),
      );
      return { ...step, status: "retrying", nextAttemptAt: at(waitMs), holdUntil };
    }
  }
}
