import type { Queryable } from "../../db/types";
import { encrypt } from "../../security/encryption";
import { raiseSystemAlert } from "../alert.service";
import { GROUP_MESSAGE_TYPE } from "../alert.types";
import type { ChannelResult } from "../channels/channel.types";
import type { AlertMetrics } from "../metrics.port";
import { refreshAlertSummary, updateAlertSummary } from "../sql/alerts";
import type { ClaimedDelivery } from "../sql/claim-due-deliveries";
import { disableWebhook } from "../sql/disable-webhook";
import { holdWebhook } from "../sql/hold-webhook";
import { lockWebhooks } from "../sql/lock-webhooks";
import { markWebhookFailure } from "../sql/mark-webhook-failure";
import { markWebhooksSucceeded } from "../sql/mark-webhooks-succeeded";
import {
  type AttemptRecord,
  recordAttempts,
  recordAttemptsAndSuccesses,
} from "../sql/record-attempts";
import { recordGroupMembers } from "../sql/record-group-members";
import { updateWebhookAddress } from "../sql/update-webhook-address";
import { URL_PURPOSE } from "../webhook-input";
import { maskUrl } from "../webhook-url";
import { type DeliveryDeps, RECORDING_BACKOFF_MS } from "./delivery.types";
import { type NextStep, nextStep } from "./retry-policy";
import { type SendOutcome, skipReason } from "./send";

/**
 * What one attempt came to: the delivery's new status, or `stale` when the
 * attempt no longer owns its delivery (it was taken over, or handed back).
 */
export type AttemptOutcome = AttemptRecord["status"] | "stale";

/** A claimed delivery and what its send came to. */
export interface SentAttempt {
  claimed: ClaimedDelivery;
  result: SendOutcome;
}

type Step = { record: AttemptRecord; step: NextStep | undefined };

/**
 * Records what a set of sends came to, in one transaction and a few
 * set-based statements: each delivery's new status (only while its attempt
 * still owns it), the webhooks' health (disabling one that failed too often
 * or was revoked, and telling its owner), and the alerts' summaries. Answers
 * each attempt's outcome, in order. Operator errors leave the webhook alone.
 */
export async function recordOutcomes(
  deps: DeliveryDeps,
  sent: readonly SentAttempt[],
): Promise<AttemptOutcome[]> {
  if (sent.length === 0) return [];
  const now = deps.clock();
  const steps = sent.map(({ claimed, result }) => attemptStep(deps, claimed, result, now));
  let wake = false;
  let disabled = 0;
  let owned = new Set<string>();
  // Nothing sent (an operator error, a kind the destination does not take) says nothing of its health.
  const counted = sent
    .map((s, i) => ({ ...s, ...(steps[i] as Step) }))
    .flatMap(({ claimed, result, step }) =>
      claimed.webhook_id &&
      result !== "skip" &&
      !result.operatorError &&
      result.verdict !== "skipped" &&
      step
        ? [{ claimed, webhookId: claimed.webhook_id, result, step }]
        : [],
    );
  // The common case, every webhook's attempts succeeded and no group message:
  // two statements (see recordAttemptsAndSuccesses), the same locks in the same order.
  const plain =
    counted.every((h) => h.result.verdict === "delivered") &&
    sent.every((s) => s.claimed.alert_type !== GROUP_MESSAGE_TYPE);
  const outcomes = await deps.db.transaction(async (tx): Promise<AttemptOutcome[]> => {
    disabled = 0;
    const records = steps.map((s) => s.record);
    const ownedAlerts = () => [
      ...new Set(sent.filter((s) => owned.has(s.claimed.id)).map((s) => s.claimed.alert_id)),
    ];
    if (plain) {
      owned = await recordAttemptsAndSuccesses(
        tx,
        records,
        counted.map((h) => ({
          attemptId: h.claimed.id,
          webhookId: h.webhookId,
          statusCode: h.result.statusCode,
        })),
        now,
      );
      await updateAlertSummary(tx, ownedAlerts());
      return steps.map(({ record }) => (owned.has(record.id) ? record.status : "stale"));
    }
    owned = await recordAttempts(tx, records, now);
    const hooks = counted.filter(({ claimed }) => owned.has(claimed.id));
    await lockWebhooks(tx, [...new Set(hooks.map((h) => h.webhookId))]);
    // A webhook whose every attempt here succeeded takes one set-based
    // update; one that failed replays its attempts in order, so that its
    // consecutive failures count right and it is disabled at most once.
    const failing = new Set(
      hooks.filter((h) => h.result.verdict !== "delivered").map((h) => h.webhookId),
    );
    await markWebhooksSucceeded(
      tx,
      hooks
        .filter((h) => !failing.has(h.webhookId))
        .map((h) => ({ webhookId: h.webhookId, statusCode: h.result.statusCode })),
      now,
    );
    for (const h of hooks) {
      if (!failing.has(h.webhookId)) continue;
      const health = await updateWebhookHealth(tx, deps, h, now);
      wake = health.noticeQueued || wake;
      if (health.disabled) disabled++;
    }
    // A group message's outcome is its members' too.
    const members = await recordGroupMembers(
      tx,
      steps.flatMap(({ record }, i) => {
        const claimed = sent[i]?.claimed;
        const batchId = claimed?.data.batch_id;
        return claimed?.alert_type === GROUP_MESSAGE_TYPE &&
          typeof batchId === "string" &&
          owned.has(record.id)
          ? [{ batchId, status: record.status, statusCode: record.statusCode, error: record.error }]
          : [];
      }),
      now,
    );
    await refreshAlertSummary(tx, [...new Set([...ownedAlerts(), ...members])]);
    return steps.map(({ record }) => (owned.has(record.id) ? record.status : "stale"));
  });
  if (wake) deps.queue.wake();
  if (deps.metrics) countRecorded(deps.metrics, sent, steps, owned, disabled, now);
  deps.events?.emit("delivery:recorded", {
    outcomes: steps.map(({ record }, i) => ({ id: record.id, status: outcomes[i] ?? "stale" })),
  });
  return outcomes;
}

/** Tells the metrics what the committed attempts came to. */
function countRecorded(
  metrics: AlertMetrics,
  sent: readonly SentAttempt[],
  steps: readonly Step[],
  owned: ReadonlySet<string>,
  disabled: number,
  now: Date,
): void {
  sent.forEach(({ claimed, result }, i) => {
    const record = steps[i]?.record;
    if (!record || !owned.has(record.id)) return;
    // An operator error is no send (a retry that no receiver saw), nor is a skipped kind.
    const sentToReceiver =
      result !== "skip" && !result.operatorError && result.verdict !== "skipped";
    metrics.attemptRecorded({
      kind: claimed.channel === "email" ? "email" : (claimed.webhook_type ?? "generic"),
      outcome: record.status,
      durationMs: sentToReceiver ? record.durationMs : null,
      sinceEventMs:
        record.status === "delivered" ? now.getTime() - claimed.event_received_at.getTime() : null,
    });
  });
  for (let i = 0; i < disabled; i++) metrics.webhookDisabled();
}

/** The row an attempt leaves (the retry policy's next step), and the step itself. */
function attemptStep(
  deps: DeliveryDeps,
  claimed: ClaimedDelivery,
  result: SendOutcome,
  now: Date,
): Step {
  const base = { id: claimed.id, attempts: claimed.attempts };
  if (result === "skip") {
    return {
      record: {
        ...base,
        status: "skipped",
        statusCode: null,
        error: skipReason(claimed),
        durationMs: 0,
        nextAttemptAt: null,
      },
      step: undefined,
    };
  }
  const step = nextStep(result, claimed.attempts, deps.config.webhooks.retryScheduleSeconds, now);
  return {
    record: {
      ...base,
      status: step.status,
      statusCode: result.statusCode,
      error: result.error,
      durationMs: result.durationMs,
      nextAttemptAt: step.nextAttemptAt,
    },
    step,
  };
}

/**
 * A failed attempt's mark on its webhook: a delivery that gave up counts
 * towards `failure_count`; past the limit, or when the receiver says the
 * webhook is gone, it is disabled and its owner told. Says whether it was
 * disabled, and whether that notice was queued.
 */
async function updateWebhookHealth(
  tx: Queryable,
  deps: DeliveryDeps,
  h: { claimed: ClaimedDelivery; webhookId: string; result: ChannelResult; step: NextStep },
  now: Date,
): Promise<{ disabled: boolean; noticeQueued: boolean }> {
  const none = { disabled: false, noticeQueued: false };
  const { claimed, webhookId, result, step } = h;
  if (result.verdict === "delivered") {
    await markWebhooksSucceeded(tx, [{ webhookId, statusCode: result.statusCode }], now);
    return none;
  }
  if (result.verdict === "retry" && result.updateDestination?.address) {
    const address = result.updateDestination.address;
    await updateWebhookAddress(tx, webhookId, {
      url: encrypt(deps.config.encryptionKeys, address, URL_PURPOSE),
      urlMasked: maskUrl(new URL(address), claimed.webhook_type ?? undefined),
      now,
    });
  }
  // A platform that says "too many" holds back every delivery to the webhook, not only this one.
  if (step.holdUntil) await holdWebhook(tx, webhookId, step.holdUntil);
  const health = await markWebhookFailure(tx, webhookId, {
    statusCode: result.statusCode,
    error: result.error,
    final: step.countsAsFailure,
    now,
  });
  const reason = step.revoked
    ? `the receiver says this webhook no longer exists (${result.error ?? "revoked"})`
    : health && health.failure_count >= deps.config.webhooks.disableAfter
      ? `${health.failure_count} deliveries in a row failed (last: ${result.error ?? "unknown error"})`
      : undefined;
  if (!health || !reason || !(await disableWebhook(tx, webhookId, reason, now))) return none;
  const notice = await raiseSystemAlert(tx, deps, {
    userId: claimed.user_id,
    type: "webhook_disabled",
    data: { webhook_id: webhookId, webhook_name: health.name, reason },
    channels: "email",
  });
  return { disabled: true, noticeQueued: notice.enqueued > 0 };
}

/**
 * Group commit for delivery outcomes: sends that finish while a recording
 * transaction runs are recorded together by the next one, so a busy worker
 * writes one transaction per batch of outcomes rather than per delivery.
 * A recording waits for the sends still in flight (`expect`), at most
 * `lingerMs`: a lone send is recorded at once, and a busy worker's outcomes
 * are recorded a few dozen at a time (each recording costs a few statements
 * whatever its size). A transaction that fails is retried with backoff for a
 * while (a database restart must not turn sends already made into resends);
 * past that, the deliveries' leases run out and a claim takes them over.
 */
export class OutcomeRecorder {
  private readonly waiting: { sent: SentAttempt; done: (outcome: AttemptOutcome) => void }[] = [];
  private running = false;
  /** Sends counted by `expect` whose outcome has not come yet. */
  private outstanding = 0;
  /** Ends the current linger early (an outcome came, or a send was forgone). */
  private nudge: (() => void) | undefined;

  constructor(
    private readonly deps: DeliveryDeps,
    private readonly maxBatch = 200,
    private readonly backoffMs: readonly number[] = RECORDING_BACKOFF_MS,
    /**
     * How long a recording waits, at most, for the sends still in flight
     * before it starts. Sends to fast receivers finish one at a time; without
     * the wait, each would be a transaction of its own.
     */
    private readonly lingerMs = 20,
  ) {}

  /** `n` sends started whose outcomes will come to `record` (or `forgo`): recordings wait for them a moment. */
  expect(n: number): void {
    this.outstanding += n;
  }

  /** A send counted by `expect` ended with nothing to record (handed back, or lost). */
  forgo(): void {
    this.outstanding = Math.max(0, this.outstanding - 1);
    this.nudge?.();
  }

  /** Answers once the outcome is committed ("stale" if it could not be). */
  record(sent: SentAttempt): Promise<AttemptOutcome> {
    this.outstanding = Math.max(0, this.outstanding - 1);
    return new Promise((done) => {
      this.waiting.push({ sent, done });
      if (!this.running) void this.run();
      else this.nudge?.();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        await this.linger();
        const batch = this.waiting.splice(0, this.maxBatch);
        const outcomes = await this.recordWithRetry(batch.map((b) => b.sent));
        batch.forEach((b, i) => {
          b.done(outcomes[i] ?? "stale");
        });
      }
    } finally {
      this.running = false;
    }
  }

  /** Waits while sends are still in flight, up to `lingerMs` or a full batch; outcomes of the same moment always go together. */
  private async linger(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    const until = performance.now() + this.lingerMs;
    while (this.waiting.length < this.maxBatch && this.outstanding > 0) {
      const left = until - performance.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.nudge = undefined;
          resolve();
        }, left);
        this.nudge = () => {
          clearTimeout(timer);
          this.nudge = undefined;
          resolve();
        };
      });
    }
  }

  private async recordWithRetry(sent: SentAttempt[]): Promise<AttemptOutcome[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await recordOutcomes(this.deps, sent);
      } catch (error) {
        const pause = this.backoffMs[attempt];
        if (pause === undefined) {
          this.deps.log.error(
            { err: error, deliveries: sent.length },
            "recording deliveries failed; their leases will run out and they will be sent again",
          );
          return sent.map(() => "stale");
        }
        this.deps.log.warn(
          { err: error, deliveries: sent.length },
          "recording deliveries failed; retrying",
        );
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }
}
