import type { Queryable } from "../../db/types";

/**
 * The key with this hash, and its owner; undefined for an unknown or revoked
 * key. In the same statement `last_used_at` moves to `now`, but only when it
 * is a minute old or more: a busy training script does not turn every
 * request into a row write (and a lock on one hot row).
 */
export async function findProducerKeyAndTouch(
  db: Queryable,
  hash: Buffer,
  now: Date,
): Promise<{ id: string; user_id: string } | undefined> {
  const { rows } = await db.query<{ id: string; user_id: string }>(
    `with k as (
       select id, user_id, last_used_at from producer_keys where key_hash = $1
     ), touched as (
       update producer_keys p set last_used_at = $2
       from k
       where p.id = k.id
         and (k.last_used_at is null or k.last_used_at <= $2::timestamptz - interval '1 minute')
       returning p.id
     )
     select k.id, k.user_id from k`,
    [hash, now],
  );
  return rows[0];
}
