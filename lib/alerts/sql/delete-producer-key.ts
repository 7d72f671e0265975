import type { Queryable } from "../../db/types";

/** Revokes one of the user's keys; false when the user has no key with this id. */
export async function deleteProducerKey(
  db: Queryable,
  userId: string,
  id: string,
): Promise<boolean> {
  const { rowCount } = await db.query("delete from producer_keys where id = $1 and user_id = $2", [
    id,
    userId,
  ]);
  return rowCount > 0;
}
