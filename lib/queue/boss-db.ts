import type PgBoss from "pg-boss";
import type { Queryable } from "../db/types";

/**
 * pg-boss's database interface over ours, for the pool or for an open
 * transaction (`send(…, { db: bossDb(tx) })` enqueues inside it). Without
 * parameters pg-boss may send several statements at once, which only `exec`
 * runs on PGlite.
 */
export function bossDb(db: Queryable): PgBoss.Db {
  return {
    async executeSql(text: string, values?: unknown[]) {
      if (!values || values.length === 0) return { rows: await db.exec(text) };
      return db.query(text, values);
    },
  };
}
