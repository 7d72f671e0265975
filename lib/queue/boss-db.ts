import type PgBoss from "pg-boss";
import { isConnectionError } from "../db/connection-errors";
import type { Queryable } from "../db/types";
import type { Logger } from "../server/log";

export interface WaitForDatabase {
  log: Logger;
  /** True once the queue is stopping: statements stop waiting and fail. */
  stopping(): boolean;
  /** Pauses between tries, the last one repeated. Default 250 ms doubling to 5 s. */
  backoffMs?: readonly number[];
}

const BACKOFF_MS = [250, 500, 1000, 2000, 5000];

/**
 * pg-boss's database interface over ours, for the pool or for an open
 * transaction (`send(…, { db: bossDb(tx) })` enqueues inside it). Without
 * parameters pg-boss may send several statements at once, which only `exec`
 * runs on PGlite.
 *
 * With `wait` (pg-boss's own statements on the pool), a statement that fails
 * because the database is unreachable is tried again until it is back.
 * pg-boss 10 does not await the completion of a job whose handler returned
 * (`complete`/`fail` are fire-and-forget), so their failure during a restart
 * would be an unhandled rejection — the process dies — and the job would
 * stay `active` until it expires. Retrying is safe for what pg-boss runs
 * there: completing and failing jobs, maintenance and cron are idempotent,
 * and a fetch whose answer was lost leaves its jobs to expire, as a crash
 * would. Never for a caller's transaction: it is rolled back, and the
 * caller retries it whole.
 */
export function bossDb(db: Queryable, wait?: WaitForDatabase): PgBoss.Db {
  const run = async (text: string, values?: unknown[]) => {
    if (!values || values.length === 0) return { rows: await db.exec(text) };
    return db.query(text, values);
  };
  if (!wait) return { executeSql: run };
  const backoff = wait.backoffMs ?? BACKOFF_MS;
  return {
    async executeSql(text, values) {
      for (let attempt = 0; ; attempt++) {
        try {
          const result = await run(text, values);
          if (attempt > 0)
            wait.log.info({ tries: attempt + 1 }, "queue reached the database again");
          return result;
        } catch (error) {
          if (!isConnectionError(error) || wait.stopping()) throw error;
          if (attempt === 0) {
            wait.log.warn({ err: error }, "queue cannot reach the database; waiting for it");
          }
          const pause = backoff[Math.min(attempt, backoff.length - 1)] ?? 1000;
          await new Promise((resolve) => setTimeout(resolve, pause));
        }
      }
    },
  };
}
