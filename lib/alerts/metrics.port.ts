import type { EventOutcome } from "./alert.types";

/**
 * What the engine tells an operator's metrics (a port: the engine knows
 * nothing of Prometheus; `lib/metrics` implements it). Every call is made
 * after the transaction that did the work committed, so a counted thing
 * happened. Implementations must be cheap and never throw.
 */
export interface AlertMetrics {
  /** The inbox processed an event. */
  eventProcessed(type: string, outcome: EventOutcome): void;
  /** An alert was written, with the status it started in. */
  alertCreated(status: "pending" | "deferred" | "suppressed"): void;
  /**
   * A delivery attempt was recorded. `kind` is the destination kind (`email`,
   * or the webhook's type); `durationMs` the send's, null when nothing was
   * sent (skipped, or an operator error); `sinceEventMs` the time from the
   * event's arrival when the attempt delivered, else null.
   */
  attemptRecorded(attempt: {
    kind: string;
    outcome: "delivered" | "retrying" | "failed" | "skipped";
    durationMs: number | null;
    sinceEventMs: number | null;
  }): void;
  /** A webhook was disabled (too many failures, or the receiver says it is gone). */
  webhookDisabled(): void;
}

/** Metrics that go nowhere: the default where none are wired. */
export const NO_METRICS: AlertMetrics = {
  eventProcessed() {},
  alertCreated() {},
  attemptRecorded() {},
  webhookDisabled() {},
};
