import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WEBHOOK_TYPES } from "@/lib/alerts/alert.types";
import type { Db, Row } from "@/lib/db/types";
import { createTestDb, type TestDb } from "./helpers/db";
import { seedOwnedRows } from "./helpers/owned-rows";

// What a Supabase client (supabase-js, PostgREST) may do with the project's
// tables: PostgREST switches to `anon` or `authenticated` and sets
// `request.jwt.claims` for the transaction, as `asClient` does here. The
// API's own role (withUser) is covered by rls.test.ts.

let testDb: TestDb;
let db: Db;

/** Every project table in `public`, and one row of it per user. */
const TABLES = [
  "user_alert_preferences",
  "user_webhooks",
  "alert_history",
  "alert_events",
  "alert_deliveries",
  "training_jobs",
  "report_runs",
  "alert_dedupe",
  "alerts_time_zones",
  "alerts_schema_migrations",
] as const;
/** The tables a user reads their own rows of. */
const READABLE = [
  "user_alert_preferences",
  "user_webhooks",
  "alert_history",
  "alert_events",
  "alert_deliveries",
  "training_jobs",
  "report_runs",
] as const;
type Readable = (typeof READABLE)[number];

type Outcome = { rows: Row[]; rowCount: number } | { code: string; message: string };

/** One statement as PostgREST runs it for a request: the role and the claims, this transaction only. */
async function asClient(
  role: "anon" | "authenticated",
  userId: string | null,
  sql: string,
  params: unknown[] = [],
): Promise<Outcome> {
  try {
    return await db.transaction(async (tx) => {
      await tx.query(
        "select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)",
        [role, JSON.stringify(userId ? { sub: userId, role } : { role })],
      );
      return tx.query(sql, params);
    });
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
}

const denied = { code: "42501", message: expect.stringMatching(/permission denied/) };

let a: string;
let b: string;
let rowsOfA: Record<Readable, string>;
let rowsOfB: Record<Readable, string>;

beforeAll(async () => {
  testDb = await createTestDb();
  db = testDb.db;
  a = randomUUID();
  b = randomUUID();
  rowsOfA = await seedOwnedRows(db, a);
  rowsOfB = await seedOwnedRows(db, b);
});
afterAll(() => testDb.drop());

const key = (table: Readable) => (table === "report_runs" ? "key" : "id");

describe("a Supabase client (PostgREST as authenticated)", () => {
  it.each(READABLE)("reads its own rows of %s and no one else's", async (table) => {
    for (const [user, own] of [
      [a, rowsOfA],
      [b, rowsOfB],
    ] as const) {
      const res = await asClient("authenticated", user, `select ${key(table)} as id from ${table}`);
      expect(res).toMatchObject({ rows: [{ id: own[table] }] });
    }
  });

  it("reads a webhook's masked URL but never its url or secret columns", async () => {
    const masked = await asClient(
      "authenticated",
      a,
      "select id, name, url_masked, webhook_type, enabled, failure_count from user_webhooks",
    );
    expect(masked).toMatchObject({ rows: [{ id: rowsOfA.user_webhooks, name: "Slack" }] });
    for (const sql of [
      "select url from user_webhooks",
      "select secret from user_webhooks",
      "select * from user_webhooks",
      "select id from user_webhooks where secret is not null",
    ]) {
      expect(await asClient("authenticated", a, sql), sql).toMatchObject(denied);
    }
  });

  it.each(TABLES)("cannot insert, update, delete or truncate %s", async (table) => {
    for (const sql of [
      `insert into ${table} default values`,
      `update ${table} set ${columnOf(table)} = ${columnOf(table)}`,
      `delete from ${table}`,
      `truncate ${table}`,
    ]) {
      const res = await asClient("authenticated", a, sql);
      expect(res, sql).toMatchObject(denied);
    }
  });

  it("is refused each direct write of issue 13's findings, on its own rows", async () => {
    const attempts = [
      // A plaintext URL, past the API's validation and encryption.
      `insert into user_webhooks (user_id, name, url) values ('${a}', 'Metadata', 'http://169.254.169.254/latest/meta-data/')`,
      // A forged health counter.
      `update user_webhooks set failure_count = 0, enabled = true where user_id = '${a}'`,
      // Values the API refuses.
      `update user_alert_preferences set timezone = 'Mars/Olympus_Mons' where user_id = '${a}'`,
      `update user_alert_preferences set weekly_digest_day = 42 where user_id = '${a}'`,
      // Copies past the cap of 20.
      `insert into user_webhooks (user_id, name, url, webhook_type)
         select user_id, name || n, url, webhook_type from user_webhooks, generate_series(1, 21) n
         where user_id = '${a}'`,
    ];
    for (const sql of attempts) {
      expect(await asClient("authenticated", a, sql), sql).toMatchObject(denied);
    }
    const { rows } = await db.query<{ n: number; fc: number; tz: string; day: number }>(
      `select (select count(*)::int from user_webhooks where user_id = $1) as n,
              (select timezone from user_alert_preferences where user_id = $1) as tz,
              (select weekly_digest_day from user_alert_preferences where user_id = $1) as day`,
      [a],
    );
    expect(rows[0]).toEqual({ n: 1, tz: "UTC", day: 1 });
  });

  it("cannot call the project's functions", async () => {
    for (const sql of [
      `select alerts_ensure_user('${randomUUID()}', 'x@example.com')`,
      "select alerts_report_zone('UTC')",
      "select alerts_is_time_zone('UTC')",
    ]) {
      expect(await asClient("authenticated", a, sql), sql).toMatchObject(denied);
    }
  });
});

describe("an anonymous Supabase client (PostgREST as anon)", () => {
  it.each(TABLES)("reads nothing of %s", async (table) => {
    expect(await asClient("anon", null, `select 1 from ${table}`)).toMatchObject(denied);
  });
});

/** A column of `table` to name in an UPDATE. */
const columnOf = (table: (typeof TABLES)[number]) =>
  table === "alerts_time_zones" || table === "alerts_schema_migrations" ? "name" : "user_id";

describe("the database's own invariants (even for the owner)", () => {
  const refused = (constraint: string) => ({
    code: "23514",
    message: expect.stringContaining(
      constraint === "user_webhooks_cap" ? "at most 20" : constraint,
    ),
  });
  const attempt = async (sql: string, params: unknown[] = []): Promise<Outcome> => {
    try {
      return await db.query(sql, params);
    } catch (error) {
      const { code, message } = error as { code: string; message: string };
      return { code, message };
    }
  };

  it.each([
    ["weekly_digest_day = 7", "user_alert_preferences_weekly_digest_day_check"],
    ["weekly_digest_day = -1", "user_alert_preferences_weekly_digest_day_check"],
    ["daily_summary_time = '24:00'", "user_alert_preferences_times_check"],
    ["quiet_hours_start = '24:00'", "user_alert_preferences_times_check"],
    ["quiet_hours_end = '24:00:00'", "user_alert_preferences_times_check"],
    ["timezone = 'Mars/Olympus_Mons'", "user_alert_preferences_timezone_check"],
    ["timezone = '+01:00'", "user_alert_preferences_timezone_check"],
  ])("refuses preferences with %s", async (set, constraint) => {
    const res = await attempt(`update user_alert_preferences set ${set} where user_id = $1`, [a]);
    expect(res).toMatchObject(refused(constraint));
  });

  it("accepts the API's values: weekdays 0–6, 23:59:59, IANA names in any case", async () => {
    for (const set of [
      "weekly_digest_day = 0",
      "weekly_digest_day = 6",
      "daily_summary_time = '23:59:59', quiet_hours_start = '00:00', quiet_hours_end = '23:59'",
      "timezone = 'Europe/Berlin'",
      "timezone = 'europe/berlin'",
      "timezone = 'US/Pacific'",
      "timezone = 'Etc/GMT+5'",
      "timezone = 'UTC'",
    ]) {
      const res = await attempt(`update user_alert_preferences set ${set} where user_id = $1`, [a]);
      expect(res, set).toMatchObject({ rowCount: 1 });
    }
  });

  it("refuses a webhook type outside the registry's kinds and a negative failure count, and accepts each kind", async () => {
    expect(
      await attempt("update user_webhooks set webhook_type = 'pigeon' where user_id = $1", [a]),
    ).toMatchObject(refused("user_webhooks_webhook_type_check"));
    expect(
      await attempt("update user_webhooks set failure_count = -1 where user_id = $1", [a]),
    ).toMatchObject(refused("user_webhooks_failure_count_check"));
    // Every kind the registry knows: a new destination needs its migration too.
    for (const type of WEBHOOK_TYPES) {
      const res = await attempt("update user_webhooks set webhook_type = $2 where user_id = $1", [
        a,
        type,
      ]);
      expect(res, type).toMatchObject({ rowCount: 1 });
    }
  });

  it("holds the cap of 20 webhooks a user, one insert at a time or many at once", async () => {
    const user = randomUUID();
    await db.query("insert into auth.users (id) values ($1)", [user]);
    const many = (n: number) =>
      attempt(
        `insert into user_webhooks (user_id, name, url)
         select $1, 'hook ' || i, 'ciphertext' from generate_series(1, $2::int) i`,
        [user, n],
      );
    expect(await many(21)).toMatchObject(refused("user_webhooks_cap"));
    expect(await many(19)).toMatchObject({ rowCount: 19 });
    expect(await many(1)).toMatchObject({ rowCount: 1 });
    expect(await many(1)).toMatchObject(refused("user_webhooks_cap"));
    const { rows } = await db.query<{ n: number }>(
      "select count(*)::int as n from user_webhooks where user_id = $1",
      [user],
    );
    expect(rows[0]?.n).toBe(20);
  });
});
