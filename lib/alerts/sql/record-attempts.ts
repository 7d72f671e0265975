import type { Queryable } from "../../db/types";
import { webhookSucceeded } from "./mark-webhooks-succeeded";

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
    `${RECORD_SQL} returning d.id`,
    recordParams(records, now),
  );
  return new Set(rows.map((r) => r.id));
}

/** A webhook's success with one attempt: its health is marked only if that attempt is written. */
export interface AttemptSuccess {
  attemptId: string;
  webhookId: string;
  statusCode: number | null;
}

/**
 * `recordAttempts`, then what a recording does next when none of its
 * webhooks failed and it carries no group message, in the same statement
 * and the same order: the webhooks of the attempts written locked in id
 * order and marked succeeded (`lockWebhooks`, `markWebhooksSucceeded`; the
 * last success of each gives its status code), then the attempts' alerts
 * locked in id order (the lock `refreshAlertSummary` takes before it reads
 * their deliveries; the caller's next statement, `updateAlertSummary`, reads
 * them afresh). Each step reads the one before it, so none starts early.
 * Answers the ids written.
 */
export async function recordAttemptsAndSuccesses(
  db: Queryable,
  records: readonly AttemptRecord[],
  successes: readonly AttemptSuccess[],
  now: Date,
): Promise<Set<string>> {
  if (records.length === 0) return new Set();
  const { rows } = await db.query<{ id: string }>(
    `with recorded as (${RECORD_SQL} returning d.id, d.alert_id),
     healthy as (
       select distinct on (s.webhook_id) s.webhook_id, s.code
       from unnest($9::uuid[], $10::uuid[], $11::int[]) with ordinality as s(attempt_id, webhook_id, code, n)
       where s.attempt_id in (select id from recorded)
       order by s.webhook_id, s.n desc
     ),
     webhooks as materialized (
       select w.id from user_webhooks w where w.id in (select webhook_id from healthy)
       order by w.id for no key update
     ),
     marked as (
       update user_webhooks w set ${webhookSucceeded("$8", "h.code")}
       from healthy h
       where w.id = h.webhook_id and w.id in (select id from webhooks)
       returning w.id
     ),
     alerts as materialized (
       select a.id from alert_history a
       where a.id in (select alert_id from recorded) and (select count(*) from marked) >= 0
       order by a.id for no key update
     )
     select r.id from recorded r where (select count(*) from alerts) >= 0`,
    [
      ...recordParams(records, now),
      successes.map((s) => s.attemptId),
      successes.map((s) => s.webhookId),
      successes.map((s) => s.statusCode),
    ],
  );
  return new Set(rows.map((r) => r.id));
}

/** Element `array` of the attempt recorded on row `d` (the ids are `$1`). */
const of = (array: string) => `(${array})[array_position($1::uuid[], d.id)]`;

/**
 * The attempts' update; `$1`…`$7` are the attempts' columns, `$8` is now.
 * The rows are found by primary key (`d.id = any($1)`), and each takes its
 * attempt's values by its position in `$1` rather than through a join with
 * `unnest`: the planner cannot tell how few rows `unnest` yields, and
 * rescanned it once for each row of the batch.
 */
const RECORD_SQL = `update alert_deliveries d set
       status = ${of("$3::text[]")}, last_status_code = ${of("$4::int[]")}, last_error = ${of("$5::text[]")},
       last_duration_ms = ${of("$6::int[]")}, next_attempt_at = ${of("$7::timestamptz[]")},
       lease_until = null, send_slot = null, updated_at = $8,
       delivered_at = case when ${of("$3::text[]")} = 'delivered' then $8::timestamptz else d.delivered_at end
     where d.id = any($1::uuid[]) and d.status = 'sending' and d.attempts = ${of("$2::int[]")}`;

function recordParams(records: readonly AttemptRecord[], now: Date): unknown[] {
  return [
    records.map((r) => r.id),
    records.map((r) => r.attempts),
    records.map((r) => r.status),
    records.map((r) => r.statusCode),
    records.map((r) => r.error),
    records.map((r) => Math.round(r.durationMs)),
    records.map((r) => r.nextAttemptAt),
    now,
  ];
}
