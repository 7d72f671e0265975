import type { Queryable } from "./types";

/**
 * Makes sure the caller has an `auth.users` row. On Supabase the row always
 * exists and this inserts nothing; standalone, the first request provisions it
 * and remembers the token's email as the user's address.
 */
export async function ensureUser(
  db: Queryable,
  userId: string,
  email: string | undefined,
): Promise<void> {
  await db.query(
    `insert into auth.users (id, email)
     select $1::uuid, $2::text
     where not exists (select 1 from auth.users where id = $1::uuid)
     on conflict (id) do nothing`,
    [userId, email ?? null],
  );
  if (email) {
    await db.query("update auth.users set email = $2 where id = $1 and email is null", [
      userId,
      email,
    ]);
  }
}

/**
 * `ensureEventUser` as pieces of a larger statement whose `$1` is the user
 * id: a CTE named `created`, and the boolean expression that answers it.
 */
export const EVENT_USER_SQL = {
  cte: `created as (
     insert into auth.users (id)
     select $1::uuid
     where not exists (
       select 1 from pg_catalog.pg_attribute
       where attrelid = 'auth.users'::regclass and attname = 'encrypted_password'
         and not attisdropped
     )
     on conflict (id) do nothing
     returning id
   )`,
  present:
    "(exists (select 1 from auth.users where id = $1::uuid) or exists (select 1 from created))",
};

/**
 * For events about a user: standalone (our own auth.users), a user id first
 * seen in an event gets a row, so the alert can be recorded; on Supabase the
 * auth schema is not ours to write, and an unknown id is reported as absent.
 * Supabase's auth.users is told apart by its `encrypted_password` column,
 * looked up in pg_attribute: this runs once per event, and the
 * information_schema view it replaces cost 10 ms of CPU per call on PGlite
 * (most of an event's processing), about 1 ms on PostgreSQL.
 */
export async function ensureEventUser(db: Queryable, userId: string): Promise<boolean> {
  const { rows } = await db.query<{ present: boolean }>(
    `with ${EVENT_USER_SQL.cte} select ${EVENT_USER_SQL.present} as present`,
    [userId],
  );
  return rows[0]?.present === true;
}
