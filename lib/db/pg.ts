import { createHash } from "node:crypto";
import pg from "pg";
import { isStalePlan } from "./stale-plan";
import { countStatement } from "./statement-count";
import type { Db, Queryable, QueryResult, Row } from "./types";

export interface PgDbOptions {
  connectionString: string;
  /** Most connections the pool opens. Default 10. */
  max?: number;
  /** Called with errors of idle connections (a restarted server, say). */
  onIdleError?: (error: Error) => void;
}

/**
 * Named prepared statements on PostgreSQL, keyed by SQL text. An unnamed
 * statement is parsed and planned anew every time: the engine's claim and
 * recording spent more in PostgreSQL's parse and plan than in running them
 * (about 1.2 of 2.3 ms for a claim). A named one is parsed once per
 * connection and, after PostgreSQL's first five custom plans, planned once.
 * Only statements with parameters are named (the others go through the
 * simple protocol), and only the first `MAX_NAMED` distinct texts, so a
 * connection holds at most that many (after the bench's load, 60–100 plans,
 * 1.2–1.7 MB of the backend's memory). A statement whose result columns
 * changed under it (a migration added a column to a `select *`) starts a new
 * generation of names: every connection prepares afresh. On Supabase this
 * needs the direct or session-pooler connection (DATABASE_URL), as documented.
 */
const MAX_NAMED = 200;
const names = new Map<string, string>();
let generation = 0;

function statementName(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `ta${generation}_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

function forgetNames(stale: string): void {
  // Once per generation, however many connections meet its stale statements.
  if (!stale.startsWith(`ta${generation}_`)) return;
  generation++;
  names.clear();
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

  const wrap = (client: pg.Pool | pg.PoolClient, inTransaction: boolean): Queryable => ({
    async query<R = Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      countStatement(text);
      const values = params as unknown[] | undefined;
      const run = (name: string | undefined) =>
        name === undefined ? client.query(text, values) : client.query({ name, text, values });
      const name = values && values.length > 0 ? statementName(text) : undefined;
      let result: pg.QueryResult;
      try {
        result = await run(name);
      } catch (error) {
        if (name === undefined || !isStalePlan(error)) throw error;
        forgetNames(name);
        // A transaction is aborted by the error; outside one the statement runs again.
        if (inTransaction) throw error;
        result = await run(statementName(text));
      }
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    },
    async exec(text: string) {
      countStatement(text);
      // Several statements answer with an array of results, one with a single result.
      const result = (await client.query(text)) as pg.QueryResult | pg.QueryResult[];
      const last = Array.isArray(result) ? result.at(-1) : result;
      return (last?.rows ?? []) as Row[];
    },
  });

  return {
    kind: "pg",
    ...wrap(pool, false),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // While a client is checked out the pool does not listen for its
      // errors, and a connection the server closes (a restart, a terminated
      // backend) emits one: unheard, it would crash the process. The
      // transaction's own statements fail with it; the client is destroyed.
      let broken: Error | undefined;
      const onError = (error: Error) => {
        broken ??= error;
      };
      client.on("error", onError);
      try {
        await client.query("begin");
        const result = await fn(wrap(client, true));
        await client.query("commit");
        return result;
      } catch (error) {
        if (!broken) {
          try {
            await client.query("rollback");
          } catch (rollbackError) {
            // The connection is unusable; destroy it rather than return it to the pool.
            broken = rollbackError as Error;
          }
        }
        // pg answers statements on a dead client with "not queryable"; the
        // connection's own error says what happened (and that it is transient).
        throw broken && isNotQueryable(error) ? broken : error;
      } finally {
        client.removeListener("error", onError);
        client.release(broken);
      }
    },
    async listen(channel, onNotify) {
      return listenWithReconnect(options, channel, onNotify);
    },
    async close() {
      await pool.end();
    },
  };
}

function isNotQueryable(error: unknown): boolean {
  return error instanceof Error && /is not queryable/.test(error.message);
}

/**
 * LISTEN on a dedicated connection (a pooled one would be handed to others).
 * A lost connection is replaced after a short pause; callers also poll, so a
 * notification missed meanwhile only costs the poll interval.
 */
async function listenWithReconnect(
  options: PgDbOptions,
  channel: string,
  onNotify: (payload: string) => void,
): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    if (stopped) return;
    const c = new pg.Client({
      connectionString: options.connectionString,
      connectionTimeoutMillis: 5000,
    });
    // A lost connection can both fail the pending statement and emit an
    // error: it is replaced once, or two connections would listen.
    let replaced = false;
    const replace = (error: Error) => {
      if (replaced) return;
      replaced = true;
      options.onIdleError?.(error);
      if (client === c) client = undefined;
      void c.end().catch(() => {});
      if (!stopped) retry = setTimeout(() => void connect(), 1000);
    };
    c.on("notification", (msg) => {
      if (msg.channel === channel) onNotify(msg.payload ?? "");
    });
    c.on("error", replace);
    try {
      await c.connect();
      await c.query(`listen ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      replace(error as Error);
      return;
    }
    if (replaced) return;
    if (stopped) {
      // Stopped while connecting: nobody would close this one.
      await c.end().catch(() => {});
      return;
    }
    client = c;
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}
