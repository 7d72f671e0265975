import type { Queryable } from "../../db/types";

/** A producer key as its owner sees it: never the key, never its hash. */
export interface ProducerKeyView {
  id: string;
  name: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
}

const VIEW = "id, name, prefix, created_at, last_used_at";

/**
 * The user's keys, oldest first. Only the columns granted to `authenticated`
 * are read, so this runs inside `withUser` (RLS and column privileges).
 */
export async function listProducerKeys(db: Queryable, userId: string): Promise<ProducerKeyView[]> {
  const { rows } = await db.query<ProducerKeyView>(
    `select ${VIEW} from producer_keys where user_id = $1 order by created_at, id`,
    [userId],
  );
  return rows;
}

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
     returning ${VIEW}`,
    [key.userId, key.name, key.prefix, key.hash, key.now, max],
  );
  return rows[0];
}

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
