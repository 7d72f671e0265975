import type { Queryable } from "../../db/types";

/** Stores a webhook's new address (ciphertext, and its masked copy) that its receiver named. */
export async function updateWebhookAddress(
  db: Queryable,
  webhookId: string,
  p: { url: string; urlMasked: string; now: Date },
): Promise<void> {
  await db.query(
    "update user_webhooks set url = $2, url_masked = $3, updated_at = $4 where id = $1",
    [webhookId, p.url, p.urlMasked, p.now],
  );
}
