import type { Queryable } from "../../db/types";
import type { WebhookType } from "../alert.types";

export interface ClaimedDelivery {
  id: string;
  alert_id: string;
  user_id: string;
  channel: "email" | "webhook";
  webhook_id: string | null;
  attempts: number;
  alert_type: string;
  title: string;
  message: string;
  job_id: string | null;
  data: Record<string, unknown>;
  alert_created_at: Date;
  url: string | null;
  secret: string | null;
  webhook_type: WebhookType | null;
  webhook_enabled: boolean | null;
  email: string | null;
}

/**
 * Takes a delivery for one attempt: `pending` with the attempt count the job
 * was made with, or `sending` whose lease ran out (its worker died mid-send).
 * A stale or repeated job finds nothing and does nothing.
 */
export async function claimDelivery(
  db: Queryable,
  id: string,
  attempt: number,
  now: Date,
  leaseUntil: Date,
): Promise<ClaimedDelivery | undefined> {
  const { rows } = await db.query<ClaimedDelivery>(
    `with claimed as (
       update alert_deliveries d
       set status = 'sending', attempts = $2 + 1, lease_until = $4, updated_at = $3
       where d.id = $1
         and ((d.status = 'pending' and d.attempts = $2)
           or (d.status = 'sending' and d.attempts = $2 + 1 and d.lease_until < $3))
       returning d.*
     )
     select c.id, c.alert_id, c.user_id, c.channel, c.webhook_id, c.attempts,
            a.alert_type, a.title, a.message, a.job_id, a.data, a.created_at as alert_created_at,
            w.url, w.secret, w.webhook_type, w.enabled as webhook_enabled,
            coalesce(nullif(p.email_address, ''), u.email) as email
     from claimed c
     join alert_history a on a.id = c.alert_id
     left join user_webhooks w on w.id = c.webhook_id
     left join user_alert_preferences p on p.user_id = c.user_id
     left join auth.users u on u.id = c.user_id`,
    [id, attempt, now, leaseUntil],
  );
  return rows[0];
}

export interface AttemptRecord {
  id: string;
  status: "delivered" | "retrying" | "failed" | "skipped";
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  nextAttemptAt: Date | null;
  now: Date;
}

/** Locks the delivery for recording if this attempt still owns it. */
export async function holdsLease(db: Queryable, id: string, attempts: number): Promise<boolean> {
  const { rows } = await db.query(
    "select 1 from alert_deliveries where id = $1 and status = 'sending' and attempts = $2 for update",
    [id, attempts],
  );
  return rows.length > 0;
}

export async function recordAttempt(db: Queryable, r: AttemptRecord): Promise<void> {
  await db.query(
    `update alert_deliveries set
       status = $2, last_status_code = $3, last_error = $4, last_duration_ms = $5,
       next_attempt_at = $6, lease_until = null, updated_at = $7,
       delivered_at = case when $2 = 'delivered' then $7::timestamptz else delivered_at end
     where id = $1`,
    [r.id, r.status, r.statusCode, r.error, Math.round(r.durationMs), r.nextAttemptAt, r.now],
  );
}

/** Webhook health after a successful delivery: consecutive failures start again from zero. */
export async function markWebhookSuccess(
  db: Queryable,
  webhookId: string,
  statusCode: number | null,
  now: Date,
) {
  await db.query(
    `update user_webhooks set last_success_at = $3, failure_count = 0, last_status_code = $2, last_error = null
     where id = $1`,
    [webhookId, statusCode, now],
  );
}

/**
 * Webhook health after a failed attempt. `final` counts a delivery that gave
 * up towards `failure_count`; the answer says whether it must be disabled now.
 */
export async function markWebhookFailure(
  db: Queryable,
  webhookId: string,
  r: { statusCode: number | null; error: string | null; final: boolean; now: Date },
): Promise<{ failure_count: number; enabled: boolean; name: string; user_id: string } | undefined> {
  const { rows } = await db.query<{
    failure_count: number;
    enabled: boolean;
    name: string;
    user_id: string;
  }>(
    `update user_webhooks set
       last_failure_at = $4, last_status_code = $2, last_error = left($3, 500),
       failure_count = coalesce(failure_count, 0) + case when $5 then 1 else 0 end
     where id = $1
     returning failure_count, enabled, name, user_id`,
    [webhookId, r.statusCode, r.error, r.now, r.final],
  );
  return rows[0];
}

/** Disables a webhook unless it already is; true when this call disabled it. */
export async function disableWebhook(
  db: Queryable,
  webhookId: string,
  reason: string,
  now: Date,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `update user_webhooks set enabled = false, disabled_reason = $2, disabled_at = $3, updated_at = $3
     where id = $1 and enabled is true`,
    [webhookId, reason, now],
  );
  return rowCount > 0;
}

/**
 * Makes due deliveries ready again: deferred ones whose quiet hours ended,
 * retries whose wait is over, and sends whose lease ran out (the worker died
 * mid-send; if it was only slow, `holdsLease` keeps its late result out).
 * Answers what to enqueue.
 */
export async function releaseDueDeliveries(
  db: Queryable,
  now: Date,
  limit: number,
): Promise<{ id: string; attempts: number; alert_id: string }[]> {
  const { rows } = await db.query<{ id: string; attempts: number; alert_id: string }>(
    `with due as (
       select id from alert_deliveries
       where (status in ('deferred', 'retrying') and next_attempt_at <= $1)
          or (status = 'sending' and lease_until < $1)
       order by next_attempt_at nulls first
       limit $2
       for update skip locked
     )
     update alert_deliveries d set status = 'pending', lease_until = null, updated_at = $1
     from due where d.id = due.id
     returning d.id, d.attempts, d.alert_id`,
    [now, limit],
  );
  return rows;
}
