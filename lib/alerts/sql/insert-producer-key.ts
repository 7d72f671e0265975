import type { Queryable } from "../../db/types";
import { PRODUCER_KEY_VIEW, type ProducerKeyView } from "./producer-key-view";

/**
 * Stores a new key's hash unless the user already has `max` keys (undefined
 * then). The advisory lock serialises a user's concurrent creates so the cap
 * holds. Runs as the service (users may not write the table).
 */
export async function insertProducerKey(
  db: Queryable,
  key: { userId: string; name: string; prefix: string; hash: Buffer; now: Date },
  max: number,
): Promise<ProducerKeyView | undefined> {
  await db.query("select pg_advisory_xact_lock(hashtextextended($1, 7394016))", [key.userId]);
  const { rows } = await db.query<ProducerKeyView>(
    `insert into producer_keys (user_id, name, prefix, key_hash, created_at)
     select $1, $2, $3, $4, $5
     where (select count(*) from producer_keys where user_id = $1) < $6
     returning ${PRODUCER_KEY_VIEW}`,
    [key.userId, key.name, key.prefix, key.hash, key.now, max],
  );
  return rows[0];
}
