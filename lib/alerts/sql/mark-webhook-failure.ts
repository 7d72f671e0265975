import type { Queryable } from "../../db/types";

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
