import type { Db, Queryable } from "./types";

/**
 * Runs `fn` in a transaction as the user, the way PostgREST does: the role
 * `authenticated` and the JWT claims are set for this transaction only, so
 * PostgreSQL's row-level security — not only our WHERE clauses — keeps users
 * apart.
 */
export function withUser<T>(db: Db, userId: string, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query(
      `select set_config('role', 'authenticated', true),
              set_config('request.jwt.claims', $1, true),
              set_config('request.jwt.claim.sub', $2, true)`,
      [JSON.stringify({ sub: userId, role: "authenticated" }), userId],
    );
    return fn(tx);
  });
}
