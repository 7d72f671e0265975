import type { Queryable } from "../../db/types";

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
