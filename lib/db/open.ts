import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Config } from "../config/config";
import type { Logger } from "../server/log";
import { createPgDb } from "./pg";
import { createPgliteDb } from "./pglite";
import type { Db } from "./types";

const KEY = Symbol.for("training-alerts.pglite");
type Holder = { [KEY]?: Promise<Db> };

/**
 * Opens the configured database: a `pg` Pool for `DATABASE_URL`, else PGlite
 * in `$ALERTS_DATA_DIR/pglite`. The PGlite handle lives on globalThis because
 * one process must own a data directory exactly once.
 */
export function openDb(config: Pick<Config, "databaseUrl" | "dataDir">, log: Logger): Promise<Db> {
  if (config.databaseUrl) {
    return Promise.resolve(
      createPgDb({
        connectionString: config.databaseUrl,
        onIdleError: (error) => log.warn({ err: error }, "database connection lost; reconnecting"),
      }),
    );
  }
  const holder = globalThis as Holder;
  holder[KEY] ??= (async () => {
    const dir = path.resolve(config.dataDir, "pglite");
    mkdirSync(dir, { recursive: true });
    log.info({ dir }, "using embedded PGlite database");
    return createPgliteDb(dir);
  })();
  return holder[KEY];
}
