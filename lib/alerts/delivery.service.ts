import { decrypt } from "../security/encryption";
import type { EngineDeps } from "./alert.service";
import { raiseSystemAlert } from "./alert.service";
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
  claimDelivery,
  disableWebhook,
  holdsLease,
  markWebhookFailure,
  markWebhookSuccess,
  recordAttempt,
  releaseDueDeliveries,
} from "./sql/deliveries";
import { claimDeliveries, postponeDeliveries } from "./sql/delivery-batch";
import { SECRET_PURPOSE, URL_PURPOSE } from "./webhook-input";

export interface DeliveryDeps extends EngineDeps {
  email: EmailTransport;
  /** Overrides for the webhook channel (tests inject a DNS resolver). */
  webhookOptions?: Partial<WebhookChannelOptions>;
}

// Longer than one attempt (10 s) with room to record it.
const LEASE_MS = 30_000;
const MAX_RETRY_AFTER_MS = 24 * 3600_000;

/**
 * What one attempt came to: the delivery's new status, or `stale` when the
 * job found nothing to claim (another attempt already ran, or holds the lease).
 */
export type AttemptOutcome = AttemptRecord["status"] | "stale";

/**
 * One attempt of one delivery: claim it, send it outside any transaction,
 * record the outcome (and the webhook's health) in one transaction.
 */
export async function runDelivery(
  deps: DeliveryDeps,
  deliveryId: string,
  attempt: number,
): Promise<AttemptOutcome> {
  const claimedAt = deps.clock();
  const claimed = await deps.db.transaction((tx) =>
    claimDelivery(tx, deliveryId, attempt, claimedAt, new Date(claimedAt.getTime() + LEASE_MS)),
  );
  if (!claimed) return "stale";
  return completeDelivery(deps, claimed);
}

/** Sends a claimed delivery and records the outcome (and the webhook's health). */
export async function completeDelivery(
  deps: DeliveryDeps,
  claimed: ClaimedDelivery,
  /** Called once the destination answered (or failed), before the outcome is recorded. */
  onSent?: () => void,
): Promise<AttemptOutcome> {
  let outcome: Awaited<ReturnType<typeof send>>;
  try {
    outcome = await send(deps, claimed);
  } finally {
    onSent?.();
  }
  const now = deps.clock();
  let wake = false;
  const status = await deps.db.transaction(async (tx): Promise<AttemptOutcome> => {
    // A send that outlived its lease may have been taken over by another
    // worker; the newer attempt owns the row and records its own outcome.
    if (!(await holdsLease(tx, claimed.id, claimed.attempts))) return "stale";
    let status: AttemptRecord["status"];
    const { config } = deps;
    const schedule = config.webhooks.retryScheduleSeconds;
    if (outcome === "skip") {
      status = "skipped";
      await recordAttempt(tx, {
        id: claimed.id,
        status,
        statusCode: null,
        error: skipReason(claimed),
        durationMs: 0,
        nextAttemptAt: null,
        now,
      });
    } else if (outcome.ok) {
      status = "delivered";
      await recordAttempt(tx, {
        id: claimed.id,
        status,
        statusCode: outcome.statusCode,
        error: null,
        durationMs: outcome.durationMs,
        nextAttemptAt: null,
        now,
      });
      if (claimed.webhook_id)
        await markWebhookSuccess(tx, claimed.webhook_id, outcome.statusCode, now);
    } else {
      const retry = outcome.retryable && claimed.attempts <= schedule.length;
      const waitMs = Math.min(
        MAX_RETRY_AFTER_MS,
        Math.max((schedule[claimed.attempts - 1] ?? 0) * 1000, outcome.retryAfterMs ?? 0),
      );
      status = retry ? "retrying" : "failed";
      await recordAttempt(tx, {
        id: claimed.id,
        status,
        statusCode: outcome.statusCode,
        error: outcome.error,
        durationMs: outcome.durationMs,
        nextAttemptAt: retry ? new Date(now.getTime() + waitMs) : null,
        now,
      });
      if (claimed.webhook_id) {
        const health = await markWebhookFailure(tx, claimed.webhook_id, {
          statusCode: outcome.statusCode,
          error: outcome.error,
          final: !retry,
          now,
        });
        const reason = outcome.revoked
          ? `the receiver says this webhook no longer exists (${outcome.error ?? "revoked"})`
          : health && health.failure_count >= config.webhooks.disableAfter
            ? `${health.failure_count} deliveries in a row failed (last: ${outcome.error ?? "unknown error"})`
            : undefined;
        if (health && reason && (await disableWebhook(tx, claimed.webhook_id, reason, now))) {
          const notice = await raiseSystemAlert(tx, deps, {
            userId: claimed.user_id,
            type: "webhook_disabled",
            data: { webhook_id: claimed.webhook_id, webhook_name: health.name, reason },
            channels: "email",
          });
          wake ||= notice.enqueued > 0;
        }
      }
    }
    await refreshAlertSummary(tx, [claimed.alert_id]);
    return status;
  });
  if (wake) deps.queue.wake();
  return status;
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
  limiter?: {
    tryAcquire(key: string): boolean;
    wait(key: string): Promise<void> | undefined;
    release(key: string): void;
  },
  keyOf: (d: ClaimedDelivery) => string = (d) =>
    d.channel === "email" ? "email" : `webhook:${d.webhook_id ?? "deleted"}`,
): Promise<DeliveryBatch> {
  const claimedAt = deps.clock();
  const leaseUntil = new Date(claimedAt.getTime() + LEASE_MS);
  type Planned = { d: ClaimedDelivery; key: string | undefined; slot?: Promise<void> };
  const { planned, postponed } = await deps.db.transaction(async (tx) => {
    const claimed = await claimDeliveries(tx, jobs, claimedAt, leaseUntil);
    const planned: Planned[] = [];
    const over: ClaimedDelivery[] = [];
    for (const d of claimed) {
      const key = limiter ? keyOf(d) : undefined;
      if (key === undefined || limiter?.tryAcquire(key)) {
        planned.push({ d, key });
        continue;
      }
      // At its cap: wait in memory for a slot (a few may), else hand it back.
      const slot = limiter?.wait(key);
      if (slot) planned.push({ d, key, slot });
      else over.push(d);
    }
    await postponeDeliveries(tx, over, new Date(claimedAt.getTime() + POSTPONE_MS), claimedAt);
    return { planned, postponed: over.length };
  });
  const done = Promise.all(
    planned.map(async ({ d, key, slot }): Promise<AttemptOutcome> => {
      if (slot) await slot;
      // The destination's slot is held for the send only, not for recording it.
      let released = key === undefined;
      const release = () => {
        if (released) return;
        released = true;
        if (key !== undefined) limiter?.release(key);
      };
      try {
        // A wait that ate half the lease hands the delivery back rather than
        // risk another worker taking it over mid-send.
        if (slot && deps.clock().getTime() - claimedAt.getTime() > LEASE_MS / 2) {
          const now = deps.clock();
          await postponeDeliveries(deps.db, [d], new Date(now.getTime() + POSTPONE_MS), now);
          return "stale";
        }
        return await completeDelivery(deps, d, release);
      } catch (error) {
        // The lease expires and releaseDue offers the delivery again.
        deps.log.warn({ err: error, delivery_id: d.id }, "recording a delivery failed");
        return "stale";
      } finally {
        release();
      }
    }),
  );
  return {
    sending: planned.length,
    postponed,
    stale: jobs.length - planned.length - postponed,
    done,
  };
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

/** Enqueues deliveries that became due (quiet hours over, retry wait over, lost sends). */
export async function releaseDue(deps: EngineDeps, limit = 500): Promise<number> {
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
