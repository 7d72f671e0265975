/** A row as the drivers return it: column name to value. */
export type Row = Record<string, unknown>;

export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

/** Something that runs SQL: the database itself or an open transaction. */
export interface Queryable {
  /** Runs one statement with `$n` parameters. */
  query<R = Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /**
   * Runs several statements without parameters (migrations, pg-boss's
   * schema) and returns the rows of the last one.
   */
  exec(text: string): Promise<Row[]>;
}

/**
 * The one database interface the service uses, implemented by a `pg` Pool
 * (PostgreSQL, Supabase) and by PGlite (embedded).
 */
export interface Db extends Queryable {
  readonly kind: "pg" | "pglite";
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when
   * it throws. Inside, use only `tx` — on PGlite the outer handle would wait
   * for this very transaction and deadlock.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Calls `onNotify` for each NOTIFY on `channel` (from any process) until the
   * returned function is called. Reconnects by itself after a lost connection.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
