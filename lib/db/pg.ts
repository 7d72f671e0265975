import pg from "pg";
import type { Db, Queryable, QueryResult, Row } from "./types";

export interface PgDbOptions {
  connectionString: string;
  /** Most connections the pool opens. Default 10. */
  max?: number;
  /** Called with errors of idle connections (a restarted server, say). */
  onIdleError?: (error: Error) => void;
}

/** A `Db` over a `pg` Pool. Connections that break are replaced on next use. */
export function createPgDb(options: PgDbOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5000,
  });
  // An idle client losing its server must not crash the process: the pool
  // drops it and opens a new one on the next query.
  pool.on("error", (error) => options.onIdleError?.(error));

  const wrap = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<R = Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const result = await client.query(text, params as unknown[] | undefined);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    },
    async exec(text: string) {
      // Several statements answer with an array of results, one with a single result.
      const result = (await client.query(text)) as pg.QueryResult | pg.QueryResult[];
      const last = Array.isArray(result) ? result.at(-1) : result;
      return (last?.rows ?? []) as Row[];
    },
  });

  return {
    kind: "pg",
    ...wrap(pool),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query("begin");
        const result = await fn(wrap(client));
        await client.query("commit");
        return result;
      } catch (error) {
        try {
          await client.query("rollback");
        } catch (rollbackError) {
          // The connection is unusable; destroy it rather than return it to the pool.
          broken = rollbackError as Error;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      await pool.end();
    },
  };
}
