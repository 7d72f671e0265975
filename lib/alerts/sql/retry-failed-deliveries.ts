import type { Queryable } from "../../db/types";

/**
 * Makes an alert's failed deliveries (and those waiting for a scheduled retry)
 * due now: the same rows, so the same `webhook-id` (`msg_<delivery id>`) goes
 * out again and receivers can dedupe. Answers the ids made due; none when the
 * alert is not `userId`'s or nothing of it failed.
 */
export async function retryFailedDeliveries(
  db: Queryable,
  p: { userId: string; alertId: string; now: Date },
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `update alert_deliveries
     set status = 'pending', next_attempt_at = $3, lease_until = null, send_slot = null, updated_at = $3
     where alert_id = $2 and user_id = $1 and status in ('failed', 'retrying')
     returning id`,
    [p.userId, p.alertId, p.now],
  );
  return rows.map((r) => r.id);
}
