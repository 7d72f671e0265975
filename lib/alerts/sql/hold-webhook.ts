import type { Queryable } from "../../db/types";

/** Holds back every delivery to a webhook until `until` (a 429 asked for that long). */
export async function holdWebhook(db: Queryable, webhookId: string, until: Date): Promise<void> {
  await db.query(
    "update user_webhooks set held_until = greatest(coalesce(held_until, $2), $2) where id = $1",
    [webhookId, until],
  );
}
