import type { Db, Queryable } from "./types";

/**
 * The role the API acts as a user in (migration 0008): a member of
 * `authenticated`, so every policy and grant for PostgREST's users binds it
 * too, plus the writes the API validates (preferences, webhooks). PostgREST
 * cannot switch to it, so a Supabase client stays read-only.
 */
export const API_ROLE = "training_alerts_api";

/**
 * Runs `fn` in a transaction as the user, the way PostgREST does: the role
 * (API_ROLE, an `authenticated`) and the JWT claims are set for this
 * transaction only, so PostgreSQL's row-level security — not only our WHERE
 * clauses — keeps users apart.
 */
export function withUser<T>(db: Db, userId: string, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query(
      `select set_config('role', '${API_ROLE}', true),
              set_config('request.jwt.claims', $1, true),
              set_config('request.jwt.claim.sub', $2, true)`,
      [JSON.stringify({ sub: userId, role: "authenticated" }), userId],
    );
    return fn(tx);
  });
}
