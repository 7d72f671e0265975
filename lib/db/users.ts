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
