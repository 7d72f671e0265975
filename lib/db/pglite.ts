import { PGlite } from "@electric-sql/pglite";
import type { Db, Queryable, QueryResult, Row } from "./types";

type PGliteLike = Pick<PGlite, "query" | "exec">;

const wrap = (client: PGliteLike): Queryable => ({
  async query<R = Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    const result = await client.query<R>(text, params as unknown[] | undefined);
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
  },
  async exec(text: string) {
    const results = await client.exec(text);
    return (results.at(-1)?.rows ?? []) as Row[];
  },
});

/**
 * A `Db` over PGlite. `dataDir` undefined keeps the database in memory (tests).
 * Only one process may open a data directory: a second one corrupts it.
 */
export async function createPgliteDb(dataDir?: string): Promise<Db> {
  const pglite = await PGlite.create(dataDir);
  return fromPglite(pglite);
}

export function fromPglite(pglite: PGlite): Db {
  return {
    kind: "pglite",
    ...wrap(pglite),
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return pglite.transaction((tx) => fn(wrap(tx)));
    },
    async listen(channel, onNotify) {
      const unsubscribe = await pglite.listen(channel, onNotify);
      return async () => {
        if (!pglite.closed) await unsubscribe();
      };
    },
    async close() {
      if (!pglite.closed) await pglite.close();
    },
  };
}
