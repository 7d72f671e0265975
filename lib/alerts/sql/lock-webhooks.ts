import type { Queryable } from "../../db/types";

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
