import { spawn } from "node:child_process";
import { existsSync, readdirSync, renameSync, rmdirSync, rmSync } from "node:fs";
import path from "node:path";
import { PGlite, parse, protocol, type Results } from "@electric-sql/pglite";
import { isStalePlan } from "./stale-plan";
import { countStatement } from "./statement-count";
import type { Db, Queryable, QueryResult, Row } from "./types";

const { serialize } = protocol;

/**
 * Named prepared statements, per PGlite instance (one session), keyed by SQL
 * text. PGlite's own `query()` parses, plans and describes every statement
 * anew, in six calls into PostgreSQL; a cached statement is one call (bind,
 * describe, execute, sync) and, after PostgreSQL's first five custom plans,
 * no planning. The queries the inbox runs for every event cost half to a
 * third as much this way.
 */
class Statements {
  /** Statements kept at most; the least recently used is closed beyond it. */
  static readonly MAX = 200;
  readonly byText = new Map<string, { name: string; types: number[] }>();
  private next = 0;
  constructor(private readonly pglite: PGlite) {}

  /** Runs `text` with `params`; the caller holds PGlite's query lock. */
  async run<R>(
    text: string,
    params: readonly unknown[],
    syncToFs: boolean,
    mayRetry = true,
  ): Promise<Results<R>> {
    try {
      return await this.runCached<R>(text, params, syncToFs);
    } catch (error) {
      if (isStalePlan(error)) {
        // Its result columns changed under it (a migration): prepared again
        // next time, and run once more at once outside a transaction (which the error aborted).
        await this.close(text);
        if (syncToFs && mayRetry) return this.run(text, params, syncToFs, false);
      }
      // As PGlite's errors say which statement failed (not its parameters).
      if (error instanceof Error) Object.assign(error, { query: text });
      throw error;
    }
  }

  private async close(text: string): Promise<void> {
    const statement = this.byText.get(text);
    if (!statement) return;
    this.byText.delete(text);
    await this.pglite.execProtocolStream(
      join(serialize.close({ type: "S", name: statement.name }), serialize.sync()),
      { syncToFs: false },
    );
  }

  private async runCached<R>(
    text: string,
    params: readonly unknown[],
    syncToFs: boolean,
  ): Promise<Results<R>> {
    const { pglite } = this;
    let statement = this.byText.get(text);
    if (statement) {
      this.byText.delete(text);
    } else {
      const name = `ta_${++this.next}`;
      const prepared = await pglite.execProtocolStream(
        join(
          serialize.parse({ name, text, types: [] }),
          serialize.describe({ type: "S", name }),
          serialize.sync(),
        ),
        { syncToFs: false },
      );
      statement = { name, types: parse.parseDescribeStatementResults(prepared) };
      const oldest =
        this.byText.size >= Statements.MAX ? this.byText.keys().next().value : undefined;
      if (oldest !== undefined) await this.close(oldest);
    }
    this.byText.set(text, statement);
    // As PGlite's query(): each value through the serializer of its parameter's type.
    const types = statement.types;
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const toText = pglite.serializers[types[i] ?? 0];
      return toText ? toText(value) : String(value);
    });
    const messages = await pglite.execProtocolStream(
      join(
        serialize.bind({ statement: statement.name, values }),
        serialize.describe({ type: "P" }),
        serialize.execute({}),
        serialize.sync(),
      ),
      { syncToFs },
    );
    return parse.parseResults(messages, pglite.parsers)[0] as Results<R>;
  }
}

function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const toQueryResult = <R>(result: Results<R> | undefined): QueryResult<R> => ({
  rows: (result?.rows ?? []) as R[],
  rowCount: result?.affectedRows ?? result?.rows.length ?? 0,
});

/**
 * `client` is PGlite itself or an open transaction; `run` runs a statement
 * with parameters through the cache. A statement without parameters (the
 * inbox's `savepoint` per event, DDL, pg-boss's scripts) goes through the
 * simple protocol instead: one call too, and nothing to keep.
 */
const wrap = (
  client: Pick<PGlite, "exec">,
  run: <R>(text: string, params: readonly unknown[]) => Promise<Results<R>>,
): Queryable => ({
  async query<R = Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    countStatement(text);
    if (params === undefined || params.length === 0) {
      return toQueryResult((await client.exec(text)).at(-1) as Results<R> | undefined);
    }
    return toQueryResult(await run<R>(text, params));
  },
  async exec(text: string) {
    countStatement(text);
    const results = await client.exec(text);
    return (results.at(-1)?.rows ?? []) as Row[];
  },
});

/**
 * PostgreSQL settings for the embedded server, on top of PGlite's own. They
 * bound the WebAssembly memory, which grows but never shrinks and is most of
 * the server's resident memory.
 * - `shared_buffers`: initdb picks 128MB, and PGlite touches all of it at
 *   start (150 MB resident). The data files are read through the operating
 *   system's page cache, so a buffer miss costs a `read()` from memory, not
 *   a disk access; ingest measured the same with 16MB, 32MB and 128MB.
 *   `wal_buffers` follows it (1/32, 512kB).
 * - `maintenance_work_mem` (default 64MB): an index build or VACUUM may use
 *   this much, and the memory it grew stays with the process.
 */
export const PGLITE_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: "16MB",
  maintenance_work_mem: "16MB",
};

const startParams = [
  ...PGlite.defaultStartParams,
  ...Object.entries(PGLITE_SETTINGS).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
];

/**
 * A `Db` over PGlite. `dataDir` undefined keeps the database in memory (tests).
 * Only one process may open a data directory: a second one corrupts it.
 */
export async function createPgliteDb(dataDir?: string): Promise<Db> {
  if (dataDir && !existsSync(path.join(dataDir, "PG_VERSION"))) await initdbElsewhere(dataDir);
  const pglite = await PGlite.create(dataDir, { startParams });
  return fromPglite(pglite);
}

// Runs in a child process; its argument is the directory to create.
const INITDB_SCRIPT = `
const { PGlite } = await import("@electric-sql/pglite");
const db = await PGlite.create(process.argv[1]);
await db.close();
`;

/**
 * Creates a new database cluster in `dataDir` from a child process. In this
 * process, initdb (a second PGlite instance, its own WebAssembly module and a
 * tar copy of the new cluster) would leave 100–200 MB of freed memory that
 * the allocator keeps for good; the child gives it all back when it exits.
 * The cluster is made next to `dataDir` and renamed into place, so an
 * interrupted start-up never leaves half a cluster. When the child cannot
 * run (no `node_modules` below the working directory, say), PGlite runs
 * initdb in this process as before.
 */
async function initdbElsewhere(dataDir: string): Promise<void> {
  const scratch = `${path.resolve(dataDir)}.initdb-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  const ok = await new Promise<boolean>((resolve) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", INITDB_SCRIPT, scratch], {
      stdio: "ignore",
    });
    child.once("error", () => resolve(false));
    child.once("exit", (code) => resolve(code === 0));
  });
  try {
    if (!ok || !existsSync(path.join(scratch, "PG_VERSION"))) return;
    if (existsSync(dataDir)) {
      // Another cluster (or anything else) got there first: leave it alone.
      if (readdirSync(dataDir).length > 0) return;
      rmdirSync(dataDir);
    }
    renameSync(scratch, dataDir);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function fromPglite(pglite: PGlite): Db {
  const statements = new Statements(pglite);
  return {
    kind: "pglite",
    // Outside a transaction, a statement waits for any transaction to finish,
    // as PGlite's query() does; it is then synced to storage on its own.
    ...wrap(pglite, async (text, params) => {
      if (pglite.closed) throw new Error("PGlite is closed");
      await pglite.waitReady;
      return pglite._runExclusiveTransaction(() =>
        pglite._runExclusiveQuery(() => statements.run(text, params, true)),
      );
    }),
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return pglite.transaction((tx) =>
        fn(
          wrap(tx, (text, params) => {
            if (tx.closed) throw new Error("Transaction is closed");
            return pglite._runExclusiveQuery(() => statements.run(text, params, false));
          }),
        ),
      );
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
