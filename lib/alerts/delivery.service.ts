import type { Queryable } from "../db/types";
import { type DestinationLimiter, destinationKey } from "../queue/destination-limiter";
import { decrypt } from "../security/encryption";
import type { EngineDeps } from "./alert.service";
import { raiseSystemAlert } from "./alert.service";
import type { WebhookType } from "./alert.types";
import type { ChannelResult } from "./channels/channel.types";
import type { EmailTransport } from "./channels/email.channel";
import { sendWebhook, type WebhookChannelOptions } from "./channels/webhook.channel";
import type { AlertCard } from "./formatters/card";
import { emailHeaders, formatEmail } from "./formatters/email.formatter";
import { formatWebhookBody } from "./formatters/index";
import { refreshAlertSummary } from "./sql/alerts";
import {
  type AttemptRecord,
  type ClaimedDelivery,
  disableWebhook,
  lockWebhooks,
  markWebhookFailure,
  markWebhooksSucceeded,
  recordAttempts,
  releaseDueDeliveries,
} from "./sql/deliveries";
import {
  claimDeliveries,
  holdWebhook,
  postponeDeliveries,
  reserveSendSlots,
} from "./sql/delivery-batch";
import { SECRET_PURPOSE, URL_PURPOSE } from "./webhook-input";

export interface DeliveryDeps extends EngineDeps {
  email: EmailTransport;
  /** Overrides for the webhook channel (tests inject a DNS resolver). */
  webhookOptions?: Partial<WebhookChannelOptions>;
}

// Longer than one attempt (10 s) with room to record it.
const LEASE_MS = 30_000;
/** One send's time limit (the webhook channel's and SMTP's). */
const SEND_LIMIT_MS = 10_000;
/** Pauses between tries of a failed recording (OutcomeRecorder): about 16 s in all. */
const RECORDING_BACKOFF_MS: readonly number[] = [250, 500, 1000, 2000, 4000, 8000];
/**
 * A claimed delivery waits in memory for its destination's slot at most this
 * long, else it is handed back: its send and the recording's retries must
 * still fit in the lease, or another worker could take it over and send it
 * a second time. About 3 s.
 */
const SLOT_WAIT_MAX_MS =
  LEASE_MS - SEND_LIMIT_MS - RECORDING_BACKOFF_MS.reduce((a, b) => a + b, 0) - 1_000;
const MAX_RETRY_AFTER_MS = 24 * 3600_000;

/**
 * What one attempt came to: the delivery's new status, or `stale` when the
 * job found nothing to claim (another attempt already ran, or holds the lease).
 */
export type AttemptOutcome = AttemptRecord["status"] | "stale";

/** A claimed delivery and what its send came to. */
export interface SentAttempt {
  claimed: ClaimedDelivery;
  result: ChannelResult | "skip";
}

/**
 * Records what a set of sends came to, in one transaction and a few
 * set-based statements: each delivery's new status (only while its attempt
 * still owns it), the webhooks' health (disabling one that failed too often
 * and telling its owner), and the alerts' summaries. Answers each attempt's
 * outcome, in order.
 */
export async function recordOutcomes(
  deps: DeliveryDeps,
  sent: readonly SentAttempt[],
): Promise<AttemptOutcome[]> {
  if (sent.length === 0) return [];
  const now = deps.clock();
  const records = sent.map(({ claimed, result }) => attemptRecord(deps, claimed, result, now));
  let wake = false;
  const outcomes = await deps.db.transaction(async (tx): Promise<AttemptOutcome[]> => {
    const owned = await recordAttempts(tx, records, now);
    const mine = sent
      .map((s, i) => ({ ...s, record: records[i] as AttemptRecord }))
      .filter(({ claimed }) => owned.has(claimed.id));
    const hooks = mine.filter(({ claimed, result }) => claimed.webhook_id && result !== "skip");
    await lockWebhooks(tx, [...new Set(hooks.map(({ claimed }) => claimed.webhook_id as string))]);
    // A webhook whose every attempt here succeeded takes one set-based
    // update; one that failed replays its attempts in order, so that its
    // consecutive failures count right and it is disabled at most once.
    const failing = new Set(
      hooks
        .filter(({ result }) => result !== "skip" && !result.ok)
        .map((h) => h.claimed.webhook_id),
    );
    await markWebhooksSucceeded(
      tx,
      hooks
        .filter(({ claimed }) => !failing.has(claimed.webhook_id))
        .map(({ claimed, result }) => ({
          webhookId: claimed.webhook_id as string,
          statusCode: result === "skip" ? null : result.statusCode,
        })),
      now,
    );
    for (const { claimed, result, record } of hooks) {
      if (!failing.has(claimed.webhook_id) || result === "skip") continue;
      wake = (await updateWebhookHealth(tx, deps, claimed, result, record, now)) || wake;
    }
    await refreshAlertSummary(tx, [...new Set(mine.map(({ claimed }) => claimed.alert_id))]);
    return records.map((r) => (owned.has(r.id) ? r.status : "stale"));
  });
  if (wake) deps.queue.wake();
  return outcomes;
}

/** The row an attempt leaves: delivered, retrying after the schedule's wait, failed or skipped. */
function attemptRecord(
  deps: DeliveryDeps,
  claimed: ClaimedDelivery,
  result: ChannelResult | "skip",
  now: Date,
): AttemptRecord {
  const base = { id: claimed.id, attempts: claimed.attempts };
  if (result === "skip") {
    const error = skipReason(claimed);
    return {
      ...base,
      status: "skipped",
      statusCode: null,
      error,
      durationMs: 0,
      nextAttemptAt: null,
    };
  }
  const { statusCode, durationMs } = result;
  if (result.ok)
    return {
      ...base,
      status: "delivered",
      statusCode,
      error: null,
      durationMs,
      nextAttemptAt: null,
    };
  const schedule = deps.config.webhooks.retryScheduleSeconds;
  const retry = result.retryable && claimed.attempts <= schedule.length;
  const waitMs = Math.min(
    MAX_RETRY_AFTER_MS,
    Math.max((schedule[claimed.attempts - 1] ?? 0) * 1000, result.retryAfterMs ?? 0),
  );
  return {
    ...base,
    status: retry ? "retrying" : "failed",
    statusCode,
    error: result.error,
    durationMs,
    nextAttemptAt: retry ? new Date(now.getTime() + waitMs) : null,
  };
}

/**
 * A failed attempt's mark on its webhook: a delivery that gave up counts
 * towards `failure_count`; past the limit, or when the receiver says the
 * webhook is gone, it is disabled and its owner told. True when that notice
 * was queued.
 */
async function updateWebhookHealth(
  tx: Queryable,
  deps: DeliveryDeps,
  claimed: ClaimedDelivery,
  result: ChannelResult,
  record: AttemptRecord,
  now: Date,
): Promise<boolean> {
  const webhookId = claimed.webhook_id;
  if (!webhookId) return false;
  if (result.ok) {
    await markWebhooksSucceeded(tx, [{ webhookId, statusCode: result.statusCode }], now);
    return false;
  }
  // A platform that says "too many" holds back every delivery to the webhook, not only this one.
  if (result.statusCode === 429 && result.retryAfterMs)
    await holdWebhook(tx, webhookId, new Date(now.getTime() + result.retryAfterMs));
  const health = await markWebhookFailure(tx, webhookId, {
    statusCode: result.statusCode,
    error: result.error,
    final: record.status === "failed",
    now,
  });
  const reason = result.revoked
    ? `the receiver says this webhook no longer exists (${result.error ?? "revoked"})`
    : health && health.failure_count >= deps.config.webhooks.disableAfter
      ? `${health.failure_count} deliveries in a row failed (last: ${result.error ?? "unknown error"})`
      : undefined;
  if (!health || !reason || !(await disableWebhook(tx, webhookId, reason, now))) return false;
  const notice = await raiseSystemAlert(tx, deps, {
    userId: claimed.user_id,
    type: "webhook_disabled",
    data: { webhook_id: webhookId, webhook_name: health.name, reason },
    channels: "email",
  });
  return notice.enqueued > 0;
}

export interface DeliveryBatch {
  /** Deliveries this batch claimed and is sending. */
  sending: number;
  /** Deliveries handed back because their destination was at its cap. */
  postponed: number;
  /** Jobs that found nothing to claim. */
  stale: number;
  /** Settles when every send of the batch is recorded. */
  done: Promise<AttemptOutcome[]>;
}

/** How long a delivery over its destination's cap waits before it is offered again. */
export const POSTPONE_MS = 1_000;

/**
 * A batch of delivery jobs: claimed in one statement, then each sent and
 * recorded on its own. Answers once the claim is committed — the lease, not
 * the queue job, now guards each delivery — so the caller's queue slot is
 * free while sends are in flight. `limiter` caps sends in flight per
 * destination; over the cap a few deliveries wait in memory for a slot, and
 * the rest are handed back for `POSTPONE_MS`.
 */
export async function startDeliveryBatch(
  deps: DeliveryDeps,
  jobs: readonly { delivery_id: string; attempt: number }[],
  options: { limiter?: DestinationLimiter; recorder?: OutcomeRecorder } = {},
): Promise<DeliveryBatch> {
  const { limiter, recorder } = options;
  const claimedAt = deps.clock();
  const leaseUntil = new Date(claimedAt.getTime() + LEASE_MS);
  type Planned = { d: ClaimedDelivery; key: string | undefined; slot?: Promise<void> };
  const { planned, postponed } = await deps.db.transaction(async (tx) => {
    const claimed = await claimDeliveries(tx, jobs, claimedAt, leaseUntil);
    const { now: ready, later } = await pace(tx, claimed, claimedAt);
    const planned: Planned[] = [];
    const over: ClaimedDelivery[] = [];
    for (const d of ready) {
      const key = limiter ? destinationKey(d) : undefined;
      if (key === undefined || limiter?.tryAcquire(key)) {
        planned.push({ d, key });
        continue;
      }
      // At its cap: wait in memory for a slot (a few may), else hand it back.
      const slot = limiter?.wait(key);
      if (slot) planned.push({ d, key, slot });
      else over.push(d);
    }
    const retryAt = new Date(claimedAt.getTime() + POSTPONE_MS);
    await postponeDeliveries(
      tx,
      [...over.map((d) => ({ ...d, at: retryAt })), ...later],
      claimedAt,
    );
    return { planned, postponed: over.length + later.length };
  });
  const done = Promise.all(
    planned.map(async ({ d, key, slot }): Promise<AttemptOutcome> => {
      if (slot) await slot;
      let result: SentAttempt["result"];
      // The destination's slot is held for the send only, not for recording it.
      try {
        // A long wait hands the delivery back rather than risk its lease.
        if (slot && deps.clock().getTime() - claimedAt.getTime() > SLOT_WAIT_MAX_MS) {
          const now = deps.clock();
          await postponeDeliveries(
            deps.db,
            [{ ...d, at: new Date(now.getTime() + POSTPONE_MS) }],
            now,
          );
          return "stale";
        }
        result = await send(deps, d);
      } catch (error) {
        // The lease expires and releaseDue offers the delivery again.
        deps.log.warn({ err: error, delivery_id: d.id }, "sending a delivery failed");
        return "stale";
      } finally {
        if (key !== undefined) limiter?.release(key);
      }
      const sent = { claimed: d, result };
      if (recorder) return recorder.record(sent);
      const [outcome = "stale"] = await recordOutcomes(deps, [sent]);
      return outcome;
    }),
  );
  return {
    sending: planned.length,
    postponed,
    stale: jobs.length - planned.length - postponed,
    done,
  };
}

/**
 * Group commit for delivery outcomes: sends that finish while a recording
 * transaction runs are recorded together by the next one, so a busy worker
 * writes one transaction per batch of outcomes rather than per delivery.
 * A transaction that fails is retried with backoff for a while (a database
 * restart must not turn sends already made into resends); past that, the
 * deliveries' leases run out and the sweep offers them again.
 */
export class OutcomeRecorder {
  private readonly waiting: { sent: SentAttempt; done: (outcome: AttemptOutcome) => void }[] = [];
  private running = false;

  constructor(
    private readonly deps: DeliveryDeps,
    private readonly maxBatch = 200,
    private readonly backoffMs: readonly number[] = RECORDING_BACKOFF_MS,
    /**
     * How long a recording waits for more outcomes before it starts. Sends
     * to fast receivers finish one at a time; without the wait, each would
     * be a transaction of its own.
     */
    private readonly lingerMs = 5,
  ) {}

  /** Answers once the outcome is committed ("stale" if it could not be). */
  record(sent: SentAttempt): Promise<AttemptOutcome> {
    return new Promise((done) => {
      this.waiting.push({ sent, done });
      if (!this.running) void this.run();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        if (this.lingerMs > 0 && this.waiting.length < this.maxBatch)
          await new Promise((resolve) => setTimeout(resolve, this.lingerMs));
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

  private async recordWithRetry(sent: SentAttempt[]): Promise<AttemptOutcome[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await recordOutcomes(this.deps, sent);
      } catch (error) {
        const pause = this.backoffMs[attempt];
        const ids = sent.map((s) => s.claimed.id);
        if (pause === undefined) {
          this.deps.log.error(
            { err: error, deliveries: ids.length },
            "recording deliveries failed; their leases will run out and they will be sent again",
          );
          return sent.map(() => "stale");
        }
        this.deps.log.warn(
          { err: error, deliveries: ids.length },
          "recording deliveries failed; retrying",
        );
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }
}

/**
 * Spacing between messages to one webhook of a platform that limits how fast
 * a webhook may post: Slack about one a second, Discord 30 a minute per channel.
 */
export const PACING_MS: Partial<Record<WebhookType, number>> = { slack: 1_000, discord: 2_000 };

/** A claimed delivery handed back to wait: until `at`, holding `send_slot` if it reserved one. */
type Postponed = { id: string; attempts: number; at: Date; send_slot: Date | null };

/**
 * Back-pressure per webhook. A webhook held after a 429 gets nothing before
 * the hold ends. On a paced webhook each delivery takes the next free send
 * slot (reserved in the database, so all workers keep one pace): those whose
 * slot is now go now, the rest wait for their slot, in alert order, and are
 * sent without reserving again when it comes.
 */
async function pace(
  tx: Queryable,
  claimed: readonly ClaimedDelivery[],
  now: Date,
): Promise<{ now: ClaimedDelivery[]; later: Postponed[] }> {
  const ready: ClaimedDelivery[] = [];
  const later: Postponed[] = [];
  const paced = new Map<string, { spacingMs: number; ds: ClaimedDelivery[] }>();
  for (const d of claimed) {
    const live = d.webhook_id !== null && d.webhook_enabled === true;
    if (live && d.held_until && d.held_until > now) {
      // The hold decides when; a slot reserved before it is given up.
      later.push({ id: d.id, attempts: d.attempts, at: d.held_until, send_slot: null });
      continue;
    }
    const spacingMs = d.webhook_type ? PACING_MS[d.webhook_type] : undefined;
    // Unpaced, holding its reserved slot, or to be skipped: it goes now.
    if (!live || !spacingMs || d.webhook_id === null || d.send_slot) {
      ready.push(d);
      continue;
    }
    const entry = paced.get(d.webhook_id) ?? { spacingMs, ds: [] };
    entry.ds.push(d);
    paced.set(d.webhook_id, entry);
  }
  const firstSlots = await reserveSendSlots(
    tx,
    [...paced].map(([webhookId, { spacingMs, ds }]) => ({
      webhookId,
      count: ds.length,
      spacingMs,
    })),
    now,
  );
  for (const [webhookId, { spacingMs, ds }] of paced) {
    const first = firstSlots.get(webhookId)?.getTime() ?? now.getTime();
    ds.sort((a, b) => a.alert_created_at.getTime() - b.alert_created_at.getTime());
    ds.forEach((d, k) => {
      const slot = new Date(first + k * spacingMs);
      if (slot <= now) ready.push(d);
      else later.push({ id: d.id, attempts: d.attempts, at: slot, send_slot: slot });
    });
  }
  return { now: ready, later };
}

function skipReason(d: ClaimedDelivery): string {
  if (d.channel === "email") return "no email address: set email_address in your alert preferences";
  return d.webhook_id
    ? "the webhook was disabled before this alert was sent"
    : "the webhook was deleted before this alert was sent";
}

async function send(deps: DeliveryDeps, d: ClaimedDelivery): Promise<ChannelResult | "skip"> {
  const card: AlertCard = {
    id: d.alert_id,
    type: d.alert_type,
    title: d.title,
    message: d.message,
    jobId: d.job_id,
    data: d.data,
    createdAt: d.alert_created_at,
    appUrl: deps.config.appUrl,
  };
  if (d.channel === "email") {
    if (!d.email) return "skip";
    const content = formatEmail(card);
    return deps.email.send({
      to: d.email,
      ...content,
      headers: emailHeaders(deps.config.appUrl),
      messageId: `<${d.id}@training-alerts>`,
    });
  }
  if (!d.url || !d.webhook_type || d.webhook_enabled !== true) return "skip";
  const keys = deps.config.encryptionKeys;
  let url: string;
  let secret: string | null;
  try {
    url = decrypt(keys, d.url, URL_PURPOSE);
    secret = d.secret ? decrypt(keys, d.secret, SECRET_PURPOSE) : null;
  } catch (error) {
    return {
      ok: false,
      statusCode: null,
      error: `cannot decrypt the webhook: ${(error as Error).message}`,
      retryable: false,
      durationMs: 0,
    };
  }
  return sendWebhook(
    {
      url,
      webhookType: d.webhook_type,
      secret,
      messageId: `msg_${d.id}`,
      body: formatWebhookBody(d.webhook_type, card),
      timestamp: deps.clock(),
    },
    {
      allowHttp: deps.config.webhooks.allowHttp,
      allowedCidrs: deps.config.webhooks.allowedCidrs,
      ...deps.webhookOptions,
    },
  );
}

/** Deliveries one `releaseDue` takes; one that took fewer left none due. */
export const RELEASE_BATCH = 500;

/** Enqueues deliveries that became due (quiet hours over, retry wait over, lost sends). */
export async function releaseDue(deps: EngineDeps, limit = RELEASE_BATCH): Promise<number> {
  const now = deps.clock();
  const released = await deps.db.transaction(async (tx) => {
    const rows = await releaseDueDeliveries(tx, now, limit);
    if (rows.length === 0) return 0;
    await deps.queue.enqueueDeliveries(
      tx,
      rows.map((r) => ({ delivery_id: r.id, attempt: r.attempts })),
    );
    await refreshAlertSummary(tx, [...new Set(rows.map((r) => r.alert_id))]);
    return rows.length;
  });
  if (released > 0) deps.queue.wake();
  return released;
}
