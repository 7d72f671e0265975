import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Db } from "./types";

/** Where the numbered SQL migrations live (the Supabase CLI layout). */
export const MIGRATIONS_DIR = path.resolve(process.cwd(), "supabase/migrations");

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
  /**
   * Checksums of earlier versions of this file that it may stand in for:
   * `-- replaces-checksum: <sha256>` lines. A migration is edited only to do
   * the same thing with fewer privileges, so a database that ran an earlier
   * version is up to date, and its ledger row is moved to the new checksum.
   */
  replaces: string[];
}

export interface MigrateResult {
  applied: string[];
  /** Migrations whose file changed after they ran; they are not run again. */
  changed: string[];
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(/* turbopackIgnore: true */ dir))
    .filter((f) => /^\d+_[\w-]+\.sql$/.test(f))
    .sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(path.join(/* turbopackIgnore: true */ dir, file), "utf8");
      const [version = file] = file.split("_");
      return {
        version,
        name: file,
        sql,
        checksum: createHash("sha256").update(sql).digest("hex"),
        replaces: [...sql.matchAll(/^-- replaces-checksum: ([0-9a-f]{64})$/gm)].map(
          (r) => r[1] ?? "",
        ),
      };
    }),
  );
}

/**
 * Applies the migrations that have not run, in order, in one transaction
 * holding an advisory lock: two processes starting at once apply each
 * migration once (the second waits, then finds nothing to do).
 */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<MigrateResult> {
  const migrations = await readMigrations(dir);
  return db.transaction(async (tx) => {
    await tx.query("select pg_advisory_xact_lock(7394001, 1)");
    await tx.exec(`
      create table if not exists alerts_schema_migrations (
        version text primary key,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now()
      );
      -- Supabase exposes public tables through its API; RLS with no policy closes it.
      alter table alerts_schema_migrations enable row level security;
    `);
    const { rows } = await tx.query<{ version: string; checksum: string }>(
      "select version, checksum from alerts_schema_migrations",
    );
    const done = new Map(rows.map((r) => [r.version, r.checksum]));
    const result: MigrateResult = { applied: [], changed: [] };
    for (const m of migrations) {
      const checksum = done.get(m.version);
      if (checksum !== undefined) {
        if (m.replaces.includes(checksum)) {
          await tx.query("update alerts_schema_migrations set checksum = $2 where version = $1", [
            m.version,
            m.checksum,
          ]);
        } else if (checksum !== m.checksum) {
          result.changed.push(m.name);
        }
        continue;
      }
      await tx.exec(m.sql);
      await tx.query(
        "insert into alerts_schema_migrations (version, name, checksum) values ($1, $2, $3)",
        [m.version, m.name, m.checksum],
      );
      result.applied.push(m.name);
    }
    return result;
  });
}
