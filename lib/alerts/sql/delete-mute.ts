import type { Queryable } from "../../db/types";

/** Unmutes one of the user's mutes; false when the user has no mute with this id. */
export async function deleteMute(db: Queryable, userId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query("delete from alert_mutes where user_id = $1 and id = $2", [
    userId,
    id,
  ]);
  return rowCount > 0;
}
