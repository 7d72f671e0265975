import type { Queryable } from "../../db/types";
import type { WebhookType } from "../alert.types";

export interface ClaimedDelivery {
  id: string;
  alert_id: string;
  user_id: string;
  channel: "email" | "webhook";
  webhook_id: string | null;
  attempts: number;
  /** The send slot this delivery reserved on a paced webhook, if it waited for one. */
  send_slot: Date | null;
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
  /** Nothing goes to the webhook before this (it answered 429). */
  held_until: Date | null;
  email: string | null;
}

export interface AttemptRecord {
  id: string;
  /** The attempt count the claim set: only that attempt's owner may record. */
  attempts: number;
  status: "delivered" | "retrying" | "failed" | "skipped";
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  nextAttemptAt: Date | null;
}

/**
 * Records a batch of attempts in one statement. A row is written only while
 * the attempt still owns it (`sending` with its attempt count): a send that
 * outlived its lease may have been taken over, and the newer attempt records
 * its own outcome. Answers the ids written.
 */
export async function recordAttempts(
  db: Queryable,
  records: readonly AttemptRecord[],
  now: Date,
): Promise<Set<string>> {
  if (records.length === 0) return new Set();
  const { rows } = await db.query<{ id: string }>(
    `update alert_deliveries d set
       status = r.status, last_status_code = r.code, last_error = r.error,
       last_duration_ms = r.duration, next_attempt_at = r.next_at, lease_until = null, send_slot = null,
       updated_at = $8,
       delivered_at = case when r.status = 'delivered' then $8::timestamptz else d.delivered_at end
     from unnest($1::uuid[], $2::int[], $3::text[], $4::int[], $5::text[], $6::int[], $7::timestamptz[])
       as r(id, attempts, status, code, error, duration, next_at)
     where d.id = r.id and d.status = 'sending' and d.attempts = r.attempts
     returning d.id`,
    [
      records.map((r) => r.id),
      records.map((r) => r.attempts),
      records.map((r) => r.status),
      records.map((r) => r.statusCode),
      records.map((r) => r.error),
      records.map((r) => Math.round(r.durationMs)),
      records.map((r) => r.nextAttemptAt),
      now,
    ],
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * Locks webhooks (in id order, so concurrent recorders cannot deadlock)
 * before their health changes. `no key update`, like the updates that follow:
 * it does not block the foreign-key checks of deliveries being inserted for
 * new alerts, which hold the rows `for key share` until their batch commits.
 */
export async function lockWebhooks(db: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    "select id from user_webhooks where id = any($1::uuid[]) order by id for no key update",
    [ids],
  );
}

/** Webhook health after successful deliveries: consecutive failures start again from zero. */
export async function markWebhooksSucceeded(
  db: Queryable,
  successes: readonly { webhookId: string; statusCode: number | null }[],
  now: Date,
): Promise<void> {
  if (successes.length === 0) return;
  await db.query(
    `update user_webhooks w set last_success_at = $3, failure_count = 0,
       last_status_code = r.code, last_error = null
     from (select distinct on (id) id, code from unnest($1::uuid[], $2::int[]) with ordinality as u(id, code, n)
           order by id, n desc) r
     where w.id = r.id`,
    [successes.map((s) => s.webhookId), successes.map((s) => s.statusCode), now],
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
 * mid-send; if it was only slow, `recordAttempts` keeps its late result out).
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
