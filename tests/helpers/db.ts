import { randomBytes } from "node:crypto";
import { migrate } from "@/lib/db/migrate";
import { createPgDb } from "@/lib/db/pg";
import { createPgliteDb } from "@/lib/db/pglite";
import type { Db } from "@/lib/db/types";

/** Which engine the suite runs on: PostgreSQL when TEST_DATABASE_URL is set, else PGlite. */
export const ENGINE = process.env.TEST_DATABASE_URL ? "postgres" : "pglite";

export interface TestDb {
  db: Db;
  /** The database's connection string on PostgreSQL, for a second pool; undefined on PGlite. */
  url?: string;
  /** Closes the database and, on PostgreSQL, drops it. */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: an in-memory PGlite, or a new
 * database on the server named by TEST_DATABASE_URL.
 */
export async function createTestDb(options: { migrate?: boolean } = {}): Promise<TestDb> {
  const admin = process.env.TEST_DATABASE_URL;
  let result: TestDb;
  if (!admin) {
    const db = await createPgliteDb();
    result = { db, drop: () => db.close() };
  } else {
    const name = `ta_test_${randomBytes(6).toString("hex")}`;
    const server = createPgDb({ connectionString: admin, max: 1 });
    await server.exec(`create database ${name}`);
    const url = new URL(admin);
    url.pathname = `/${name}`;
    const db = createPgDb({ connectionString: url.toString(), max: 5 });
    result = {
      db,
      url: url.toString(),
      async drop() {
        await db.close();
        await server.exec(`drop database if exists ${name} with (force)`);
        await server.close();
      },
    };
  }
  if (options.migrate !== false) await migrate(result.db);
  return result;
}
