import type { Queryable } from "../../db/types";
import { PRODUCER_KEY_VIEW, type ProducerKeyView } from "./producer-key-view";

/**
 * The user's keys, oldest first. Only the columns granted to `authenticated`
 * are read, so this runs inside `withUser` (RLS and column privileges).
 */
export async function listProducerKeys(db: Queryable, userId: string): Promise<ProducerKeyView[]> {
  const { rows } = await db.query<ProducerKeyView>(
    `select ${PRODUCER_KEY_VIEW} from producer_keys where user_id = $1 order by created_at, id`,
    [userId],
  );
  return rows;
}
