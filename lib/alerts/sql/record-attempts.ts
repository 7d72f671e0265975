import type { Queryable } from "../../db/types";

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
 * its own outcome. Answers the ids written. (`d.id = any($1)` as well as
 * the join: the planner cannot tell how few rows `unnest` yields, and would
 * otherwise hash every delivery in flight, found by the leased index, to
 * find the batch's few.)
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
     where d.id = any($1::uuid[]) and d.id = r.id and d.status = 'sending' and d.attempts = r.attempts
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
