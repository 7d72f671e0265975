import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, migrate, readMigrations } from "@/lib/db/migrate";
import { createPgDb } from "@/lib/db/pg";
import type { Db } from "@/lib/db/types";
import { createTestDb, type TestDb } from "./helpers/db";

let testDb: TestDb;
let db: Db;
beforeAll(async () => {
  testDb = await createTestDb();
  db = testDb.db;
});
afterAll(() => testDb.drop());

// The seed design's columns (SEED.md, Database Schema) as information_schema
// reports them: [name, data_type, column_default, is_nullable].
type Column = [string, string, string | null, "YES" | "NO"];
const bool = (value: boolean): [string, string] => ["boolean", String(value)];
const SEED_COLUMNS: Record<string, Column[]> = {
  user_alert_preferences: [
    ["id", "uuid", "gen_random_uuid()", "NO"],
    ["user_id", "uuid", null, "NO"],
    ["email_enabled", ...bool(true), "YES"],
    ["email_address", "text", null, "YES"],
    ["alert_job_started", ...bool(false), "YES"],
    ["alert_job_completed", ...bool(true), "YES"],
    ["alert_job_failed", ...bool(true), "YES"],
    ["alert_job_cancelled", ...bool(false), "YES"],
    ["alert_gpu_oom", ...bool(true), "YES"],
    ["alert_disk_warning", ...bool(true), "YES"],
    ["alert_timeout_warning", ...bool(true), "YES"],
    ["daily_summary_enabled", ...bool(false), "YES"],
    ["daily_summary_time", "time without time zone", "'09:00:00'::time without time zone", "YES"],
    ["weekly_digest_enabled", ...bool(false), "YES"],
    ["weekly_digest_day", "integer", "1", "YES"],
    ["quiet_hours_enabled", ...bool(false), "YES"],
    ["quiet_hours_start", "time without time zone", "'22:00:00'::time without time zone", "YES"],
    ["quiet_hours_end", "time without time zone", "'08:00:00'::time without time zone", "YES"],
    ["timezone", "text", "'UTC'::text", "YES"],
    ["created_at", "timestamp with time zone", "now()", "YES"],
    ["updated_at", "timestamp with time zone", "now()", "YES"],
  ],
  user_webhooks: [
    ["id", "uuid", "gen_random_uuid()", "NO"],
    ["user_id", "uuid", null, "NO"],
    ["name", "text", null, "NO"],
    ["url", "text", null, "NO"],
    ["webhook_type", "text", "'generic'::text", "YES"],
    ["secret", "text", null, "YES"],
    ["alert_job_started", ...bool(false), "YES"],
    ["alert_job_completed", ...bool(true), "YES"],
    ["alert_job_failed", ...bool(true), "YES"],
    ["alert_job_cancelled", ...bool(false), "YES"],
    ["alert_gpu_oom", ...bool(true), "YES"],
    ["alert_disk_warning", ...bool(true), "YES"],
    ["alert_timeout_warning", ...bool(true), "YES"],
    ["enabled", ...bool(true), "YES"],
    ["last_success_at", "timestamp with time zone", null, "YES"],
    ["last_failure_at", "timestamp with time zone", null, "YES"],
    ["failure_count", "integer", "0", "YES"],
    ["created_at", "timestamp with time zone", "now()", "YES"],
    ["updated_at", "timestamp with time zone", "now()", "YES"],
  ],
  alert_history: [
    ["id", "uuid", "gen_random_uuid()", "NO"],
    ["user_id", "uuid", null, "NO"],
    ["alert_type", "text", null, "NO"],
    ["title", "text", null, "NO"],
    ["message", "text", null, "NO"],
    ["job_id", "uuid", null, "YES"],
    ["email_sent", ...bool(false), "YES"],
    ["email_sent_at", "timestamp with time zone", null, "YES"],
    ["email_error", "text", null, "YES"],
    ["webhook_sent", ...bool(false), "YES"],
    ["webhook_sent_at", "timestamp with time zone", null, "YES"],
    ["webhook_id", "uuid", null, "YES"],
    ["webhook_error", "text", null, "YES"],
    ["created_at", "timestamp with time zone", "now()", "YES"],
  ],
};

const USER_TABLES = [
  "user_alert_preferences",
  "user_webhooks",
  "alert_history",
  "alert_events",
  "alert_deliveries",
  "training_jobs",
  "alerts_schema_migrations",
];

describe("migrations", () => {
  it("apply nothing the second time they run on a migrated database", async () => {
    const again = await migrate(db);
    expect(again).toEqual({ applied: [], changed: [] });
    const { rows } = await db.query<{ name: string }>(
      "select name from alerts_schema_migrations order by version",
    );
    const files = await readMigrations(MIGRATIONS_DIR);
    expect(rows.map((r) => r.name)).toEqual(files.map((m) => m.name));
  });

  it("take a database that ran an earlier version of an edited migration as up to date", async () => {
    // 0001 as first released, before issue 13 guarded its `auth` statements.
    const first = "b9e49c3ada5f2170c8989aa1fb13def60468a6ba1388faf259ba4b444a26520e";
    const current = (await readMigrations()).find((m) => m.version === "0001");
    expect(current?.replaces).toEqual([first]);
    await db.query("update alerts_schema_migrations set checksum = $1 where version = '0001'", [
      first,
    ]);
    expect(await migrate(db)).toEqual({ applied: [], changed: [] });
    const { rows } = await db.query<{ checksum: string }>(
      "select checksum from alerts_schema_migrations where version = '0001'",
    );
    expect(rows[0]?.checksum).toBe(current?.checksum);

    // Any other edit is still reported.
    await db.query(
      "update alerts_schema_migrations set checksum = 'edited' where version = '0001'",
    );
    expect(await migrate(db)).toEqual({ applied: [], changed: [current?.name] });
    await db.query("update alerts_schema_migrations set checksum = $1 where version = '0001'", [
      current?.checksum,
    ]);
  });

  it("apply each migration exactly once when two processes migrate at the same moment", async () => {
    const fresh = await createTestDb({ migrate: false });
    // On PostgreSQL the second "process" is a second pool; on PGlite both
    // share the one connection and their transactions serialise.
    const other = fresh.url ? createPgDb({ connectionString: fresh.url, max: 2 }) : fresh.db;
    try {
      const results = await Promise.all([migrate(fresh.db), migrate(other)]);
      const files = (await readMigrations()).map((m) => m.name);
      const applied = results.map((r) => r.applied).sort((a, b) => b.length - a.length);
      expect(applied).toEqual([files, []]);
      const { rows } = await fresh.db.query<{ version: string; n: number }>(
        "select version, count(*)::int as n from alerts_schema_migrations group by version",
      );
      expect(rows).toHaveLength(files.length);
      expect(rows.every((r) => r.n === 1)).toBe(true);
    } finally {
      if (other !== fresh.db) await other.close();
      await fresh.drop();
    }
  });

  it("keep every seed column with the seed's type, default and nullability", async () => {
    for (const [table, expected] of Object.entries(SEED_COLUMNS)) {
      const { rows } = await db.query<{
        column_name: string;
        data_type: string;
        column_default: string | null;
        is_nullable: "YES" | "NO";
      }>(
        `select column_name, data_type, column_default, is_nullable
         from information_schema.columns
         where table_schema = 'public' and table_name = $1`,
        [table],
      );
      const actual = new Map(rows.map((r) => [r.column_name, r]));
      for (const [name, dataType, columnDefault, isNullable] of expected) {
        expect(actual.get(name), `${table}.${name}`).toEqual({
          column_name: name,
          data_type: dataType,
          column_default: columnDefault,
          is_nullable: isNullable,
        });
      }
    }
  });

  it("create the seed's index on a user's history by time", async () => {
    const { rows } = await db.query<{ indexdef: string }>(
      `select indexdef from pg_indexes
       where schemaname = 'public' and indexname = 'idx_alert_history_user_created'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.indexdef).toMatch(/ON public\.alert_history .*\(user_id, created_at DESC\)/);
  });

  it("index closed group batches by closing time, the order retention deletes them in", async () => {
    const plan = await db.transaction(async (tx) => {
      // The table is small here: forbid the sequential scan to see whether the index can serve.
      await tx.query("set local enable_seqscan = off");
      const { rows } = await tx.query<{ "QUERY PLAN": string }>(
        `explain select id from alert_group_batches
         where closed_at < now() order by closed_at limit 100`,
      );
      return rows.map((r) => r["QUERY PLAN"]).join("\n");
    });
    expect(plan).toContain("idx_alert_group_batches_closed");
  });

  it("enable row-level security on every table in the public schema", async () => {
    const { rows } = await db.query<{ relname: string; relrowsecurity: boolean }>(
      `select c.relname, c.relrowsecurity
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'p')
       order by c.relname`,
    );
    expect(rows.map((r) => r.relname)).toEqual(expect.arrayContaining(USER_TABLES));
    expect(rows.filter((r) => !r.relrowsecurity).map((r) => r.relname)).toEqual([]);
  });
});

describe("auth.uid()", () => {
  it("is null when the claims setting is empty, as it reads after a transaction-local set", async () => {
    const id = randomUUID();
    await db.transaction(async (tx) => {
      const uid = async () =>
        (await tx.query<{ uid: string | null }>("select auth.uid() as uid")).rows[0]?.uid;
      await tx.query(
        `select set_config('request.jwt.claims', '', false),
                set_config('request.jwt.claim.sub', '', false)`,
      );
      expect(await uid()).toBeNull();

      await tx.query("select set_config('request.jwt.claims', $1, false)", [
        JSON.stringify({ sub: id, role: "authenticated" }),
      ]);
      expect(await uid()).toBe(id);

      await tx.query(
        `select set_config('request.jwt.claims', '', false),
                set_config('request.jwt.claim.sub', $1, false)`,
        [id],
      );
      expect(await uid()).toBe(id);

      await tx.query("select set_config('request.jwt.claim.sub', '', false)");
      expect(await uid()).toBeNull();
    });
  });
});

describe("training_jobs status trigger", () => {
  interface EventRow {
    type: string;
    user_id: string;
    job_id: string;
    source: string;
    idempotency_key: string;
    data: Record<string, unknown>;
  }
  const eventsFor = async (jobId: string) =>
    (
      await db.query<EventRow>(
        `select type, user_id, job_id, source, idempotency_key, data
         from alert_events where job_id = $1 order by received_at, type`,
        [jobId],
      )
    ).rows;

  it("records job_started and job_completed events when plain SQL changes a job's status", async () => {
    const userId = randomUUID();
    const jobId = randomUUID();
    await db.query("insert into auth.users (id, email) values ($1, 'trainer@example.com')", [
      userId,
    ]);
    await db.query(
      `insert into training_jobs (id, user_id, model_name, status, current_step, total_steps)
       values ($1, $2, 'llama-7b-ft', 'queued', 0, 1000)`,
      [jobId, userId],
    );
    expect(await eventsFor(jobId)).toEqual([]);

    await db.query(
      `update training_jobs set status = 'running', started_at = '2026-03-01T10:00:00Z',
         current_step = 10 where id = $1`,
      [jobId],
    );
    await db.query(
      `update training_jobs set status = 'completed', finished_at = '2026-03-01T11:30:00Z',
         current_step = 1000, loss = 0.125 where id = $1`,
      [jobId],
    );

    const events = await eventsFor(jobId);
    const byType = Object.fromEntries(events.map((e) => [e.type, e]));
    expect(Object.keys(byType).sort()).toEqual(["job_completed", "job_started"]);
    expect(byType.job_started).toMatchObject({
      user_id: userId,
      job_id: jobId,
      source: "trigger",
      idempotency_key: `job:${jobId}:job_started`,
      data: { model_name: "llama-7b-ft", current_step: 10, total_steps: 1000 },
    });
    expect(byType.job_completed).toMatchObject({
      user_id: userId,
      job_id: jobId,
      source: "trigger",
      idempotency_key: `job:${jobId}:job_completed`,
      data: {
        model_name: "llama-7b-ft",
        duration_seconds: 5400,
        final_loss: 0.125,
        current_step: 1000,
        total_steps: 1000,
      },
    });
  });

  it("records nothing new when the same status is written again or a status repeats", async () => {
    const userId = randomUUID();
    const jobId = randomUUID();
    await db.query("insert into auth.users (id) values ($1)", [userId]);
    await db.query(
      "insert into training_jobs (id, user_id, model_name, status) values ($1, $2, 'bert', 'running')",
      [jobId, userId],
    );
    await db.query("update training_jobs set status = 'completed' where id = $1", [jobId]);
    const before = await eventsFor(jobId);
    expect(before.map((e) => e.type).sort()).toEqual(["job_completed", "job_started"]);

    await db.query("update training_jobs set status = 'completed', loss = 0.5 where id = $1", [
      jobId,
    ]);
    await db.query("update training_jobs set current_step = 7 where id = $1", [jobId]);
    // A job re-run under the same id does not alert a second time for the same type.
    await db.query("update training_jobs set status = 'running' where id = $1", [jobId]);
    await db.query("update training_jobs set status = 'completed' where id = $1", [jobId]);

    expect(await eventsFor(jobId)).toEqual(before);
  });
});

describe("on a Supabase-shaped database", () => {
  it("apply cleanly where auth.users, auth.uid() and the roles already exist, and leave them alone", async () => {
    const fresh = await createTestDb({ migrate: false });
    try {
      // What Supabase has before our migrations: its own auth schema and function.
      await fresh.db.exec(`
        do $$ begin
          if not exists (select 1 from pg_roles where rolname = 'authenticated') then create role authenticated nologin; end if;
        exception when duplicate_object or unique_violation then null; end $$;
        create schema auth;
        create table auth.users (
          instance_id uuid, id uuid primary key, aud varchar(255), role varchar(255), email varchar(255),
          encrypted_password varchar(255), raw_app_meta_data jsonb, is_sso_user boolean not null default false
        );
        create function auth.uid() returns uuid language sql stable as
          $f$ select nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $f$;
        comment on function auth.uid() is 'supabase';
      `);
      const result = await migrate(fresh.db);
      expect(result.applied.length).toBe((await readMigrations(MIGRATIONS_DIR)).length);
      const { rows } = await fresh.db.query<{ comment: string | null; columns: number }>(
        `select obj_description('auth.uid()'::regprocedure, 'pg_proc') as comment,
                (select count(*)::int from information_schema.columns
                 where table_schema = 'auth' and table_name = 'users') as columns`,
      );
      expect(rows[0]).toEqual({ comment: "supabase", columns: 8 });
      // Our tables reference Supabase's users, and RLS works through its auth.uid().
      const userId = randomUUID();
      await fresh.db.query("insert into auth.users (id, email) values ($1, 'a@example.com')", [
        userId,
      ]);
      await fresh.db.query("insert into user_alert_preferences (user_id) values ($1)", [userId]);
      const seen = await fresh.db.transaction(async (tx) => {
        await tx.query(
          "select set_config('role', 'authenticated', true), set_config('request.jwt.claim.sub', $1, true)",
          [userId],
        );
        return (await tx.query("select user_id from user_alert_preferences")).rows;
      });
      expect(seen).toEqual([{ user_id: userId }]);
    } finally {
      await fresh.drop();
    }
  });
});
