import type { Queryable } from "../../db/types";

/**
 * A group message's outcome becomes its members' (the deliveries waiting in
 * its batch): delivered, failed or skipped with it; while it is retried they
 * stay grouped and show its last error. Answers the member alerts, whose
 * summaries the caller refreshes.
 */
export async function recordGroupMembers(
  db: Queryable,
  outcomes: readonly {
    batchId: string;
    status: string;
    statusCode: number | null;
    error: string | null;
  }[],
  now: Date,
): Promise<string[]> {
  if (outcomes.length === 0) return [];
  const { rows } = await db.query<{ alert_id: string }>(
    `update alert_deliveries m set
       status = case when r.status in ('delivered', 'failed', 'skipped') then r.status else m.status end,
       last_status_code = r.code, last_error = r.error, updated_at = $5,
       delivered_at = case when r.status = 'delivered' then $5::timestamptz else m.delivered_at end
     from unnest($1::uuid[], $2::text[], $3::int[], $4::text[]) as r(batch_id, status, code, error)
     where m.group_batch_id = r.batch_id and m.status = 'grouped'
     returning m.alert_id`,
    [
      outcomes.map((o) => o.batchId),
      outcomes.map((o) => o.status),
      outcomes.map((o) => o.statusCode),
      outcomes.map((o) => o.error),
      now,
    ],
  );
  return [...new Set(rows.map((r) => r.alert_id))];
}
