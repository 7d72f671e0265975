import type { Queryable } from "./types";

/**
 * Whether an event for `userId` can alert anyone, as far as ingest can tell
 * without processing it: false only on a Supabase-shaped `auth.users`
 * (recognised by its `encrypted_password` column) that has no such user.
 * Standalone, a user first seen in an event is created when it is processed.
 */
export async function eventUserPresence(
  db: Queryable,
  userId: string,
): Promise<{ exists: boolean; canExist: boolean }> {
  const { rows } = await db.query<{ exists: boolean; standalone: boolean }>(
    `select exists (select 1 from auth.users where id = $1::uuid) as exists,
            not exists (
           select 1 from pg_catalog.pg_attribute
           where attrelid = 'auth.users'::regclass and attname = 'encrypted_password'
             and not attisdropped
           ) as standalone`,
    [userId],
  );
  const exists = rows[0]?.exists === true;
  return { exists, canExist: exists || rows[0]?.standalone === true };
}
