import type { Queryable } from "./types";

/**
 * Whether the user exists, provisioning them where the auth schema is ours.
 * Standalone (plain PostgreSQL, PGlite: the project's own `auth.users`) the
 * first request or event of a user id gives it a row, and the token's email
 * becomes the user's address. On Supabase `auth.users` belongs to GoTrue and
 * is read-only for the project: an id it does not have (a deleted user whose
 * token has not expired) is absent, and nothing is written. The decision is
 * made in one place, the SQL function `alerts_ensure_user` (migration 0008).
 */
export async function ensureUser(
  db: Queryable,
  userId: string,
  email: string | undefined,
): Promise<boolean> {
  const { rows } = await db.query<{ present: boolean }>(
    "select alerts_ensure_user($1::uuid, $2::text) as present",
    [userId, email ?? null],
  );
  return rows[0]?.present === true;
}

/**
 * `ensureEventUser` as pieces of a larger statement whose `$1` is the user
 * id: a CTE named `created`, and the boolean expression that answers it. The
 * function is volatile, so the CTE runs once and before the outer select reads.
 */
export const EVENT_USER_SQL = {
  cte: "created as (select alerts_ensure_user($1::uuid) as present)",
  present: "(select present from created)",
};

/**
 * For events about a user: standalone, a user id first seen in an event gets
 * a row, so the alert can be recorded; on Supabase an unknown id is reported
 * as absent (see `ensureUser`).
 */
export async function ensureEventUser(db: Queryable, userId: string): Promise<boolean> {
  return ensureUser(db, userId, undefined);
}
