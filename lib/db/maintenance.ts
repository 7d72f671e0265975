import type { Db } from "./types";

/**
 * How often the embedded worker vacuums. PGlite runs without autovacuum (one
 * process, no background workers): the row versions that updates and deletes
 * leave behind — every delivery updates its row two or three times, and its
 * webhook's — would never be reclaimed, and the planner would never learn how
 * big the tables have grown. On PostgreSQL autovacuum does this.
 */
export const EMBEDDED_VACUUM_EVERY_MS = 10 * 60_000;

/** `VACUUM (ANALYZE)` of the whole database; answers how long it took, ms. */
export async function vacuumDatabase(db: Db): Promise<number> {
  const started = performance.now();
  await db.exec("vacuum (analyze)");
  return performance.now() - started;
}
