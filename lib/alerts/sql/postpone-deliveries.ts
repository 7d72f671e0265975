import type { Queryable } from "../../db/types";

/**
 * Hands claimed deliveries back untouched but for a wait: the attempt count
 * returns to what it was (nothing was sent), and so does the status: `pending`
 * for a delivery never attempted, `retrying` for one with attempts behind it
 * (history and the retry action show no attempt that was not made). Each is
 * due again at its `at`, holding the send slot `send_slot` (reserved on a
 * paced webhook; null for none). Used when a destination already has its
 * share of sends in flight in this worker, when the webhook is held after a
 * 429, and when the delivery's reserved slot is still to come.
 */
export async function postponeDeliveries(
  db: Queryable,
  claimed: readonly { id: string; attempts: number; at: Date; send_slot: Date | null }[],
  now: Date,
): Promise<number> {
  if (claimed.length === 0) return 0;
  const { rowCount } = await db.query(
    `update alert_deliveries d
     set status = case when r.attempts - 1 = 0 then 'pending' else 'retrying' end,
         attempts = r.attempts - 1, lease_until = null,
         next_attempt_at = r.at, send_slot = r.slot,
         updated_at = $5
     from unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::timestamptz[]) as r(id, attempts, at, slot)
     where d.id = r.id and d.status = 'sending' and d.attempts = r.attempts`,
    [
      claimed.map((c) => c.id),
      claimed.map((c) => c.attempts),
      claimed.map((c) => c.at),
      claimed.map((c) => c.send_slot),
      now,
    ],
  );
  return rowCount;
}
