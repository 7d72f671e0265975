import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgDb } from "@/lib/db/pg";
import type { Db, Row } from "@/lib/db/types";
import { API_ROLE, withUser } from "@/lib/db/with-user";
import { createTestDb, type TestDb } from "./helpers/db";
import { seedOwnedRows } from "./helpers/owned-rows";

let testDb: TestDb;
let db: Db;

const TABLES = [
  "user_alert_preferences",
  "user_webhooks",
  "alert_history",
  "alert_events",
  "alert_deliveries",
  "training_jobs",
] as const;
type Table = (typeof TABLES)[number];

/** Every row id a user owns, per table, as `seedOwnedRows` inserted them. */
type Owned = Record<Table, string>;

/** Runs one statement as `userId` in its own transaction: rows affected, or the error. */
async function attempt(
  userId: string,
  sql: string,
  params: unknown[] = [],
): Promise<{ rowCount: number; rows: Row[] } | { code: string; message: string }> {
  try {
    return await withUser(db, userId, (tx) => tx.query(sql, params));
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
}

const ownerRow = async (table: Table, id: string) =>
  (await db.query(`select * from ${table} where id = $1`, [id])).rows[0];

let a: string;
let b: string;
let rowsOfA: Owned;
let rowsOfB: Owned;

beforeAll(async () => {
  testDb = await createTestDb();
  db = testDb.db;
  a = randomUUID();
  b = randomUUID();
  rowsOfA = await seedOwnedRows(db, a);
  rowsOfB = await seedOwnedRows(db, b);
});
afterAll(() => testDb.drop());

describe("row-level security", () => {
  it.each(TABLES)("shows a user only their own rows of %s", async (table) => {
    const seenBy = async (userId: string) =>
      withUser(db, userId, async (tx) =>
        (await tx.query<{ id: string }>(`select id from ${table}`)).rows.map((r) => r.id),
      );
    expect(await seenBy(a)).toEqual([rowsOfA[table]]);
    expect(await seenBy(b)).toEqual([rowsOfB[table]]);
  });

  it.each([
    ["user_alert_preferences", "email_enabled = false"],
    ["user_webhooks", "url = 'https://evil.example/'"],
  ] as const)("lets a user update and delete none of another user's %s", async (table, set) => {
    const before = await ownerRow(table, rowsOfA[table]);
    const updated = await attempt(b, `update ${table} set ${set} where id = $1`, [rowsOfA[table]]);
    expect(updated).toMatchObject({ rowCount: 0 });
    const updatedByUser = await attempt(b, `update ${table} set ${set} where user_id = $1`, [a]);
    expect(updatedByUser).toMatchObject({ rowCount: 0 });
    const deleted = await attempt(b, `delete from ${table} where user_id = $1`, [a]);
    expect(deleted).toMatchObject({ rowCount: 0 });
    expect(await ownerRow(table, rowsOfA[table])).toEqual(before);
  });

  it.each(["alert_history", "alert_events", "alert_deliveries", "training_jobs"] as const)(
    "refuses any user's update or delete of %s, which only the service writes",
    async (table) => {
      const before = await ownerRow(table, rowsOfA[table]);
      for (const user of [a, b]) {
        const updated = await attempt(user, `update ${table} set user_id = $2 where id = $1`, [
          rowsOfA[table],
          b,
        ]);
        expect(updated).toMatchObject({ code: "42501", message: /permission denied/ });
        const deleted = await attempt(user, `delete from ${table} where id = $1`, [rowsOfA[table]]);
        expect(deleted).toMatchObject({ code: "42501", message: /permission denied/ });
      }
      expect(await ownerRow(table, rowsOfA[table])).toEqual(before);
    },
  );

  it("rejects a user's insert of preferences or a webhook in another user's name", async () => {
    const asA = await attempt(
      b,
      "insert into user_webhooks (user_id, name, url) values ($1, 'Sneaky', 'https://x.example/')",
      [a],
    );
    expect(asA).toMatchObject({ code: "42501", message: /row-level security/ });
    const prefs = await attempt(b, "insert into user_alert_preferences (user_id) values ($1)", [a]);
    // A has a preferences row already; RLS must refuse before the unique key is consulted.
    expect(prefs).toMatchObject({ code: "42501", message: /row-level security/ });

    const c = randomUUID();
    await db.query("insert into auth.users (id) values ($1)", [c]);
    const forFresh = await attempt(b, "insert into user_alert_preferences (user_id) values ($1)", [
      c,
    ]);
    expect(forFresh).toMatchObject({ code: "42501", message: /row-level security/ });
    const { rows } = await db.query("select 1 from user_alert_preferences where user_id = $1", [c]);
    expect(rows).toEqual([]);
  });

  it("lets a user change their own preferences and webhooks", async () => {
    const updated = await attempt(
      b,
      "update user_webhooks set name = 'Renamed' where id = $1 returning name",
      [rowsOfB.user_webhooks],
    );
    expect(updated).toMatchObject({ rowCount: 1, rows: [{ name: "Renamed" }] });
    const created = await attempt(
      b,
      "insert into user_webhooks (user_id, name, url) values ($1, 'Own', 'https://own.example/') returning id",
      [b],
    );
    expect(created).toMatchObject({ rowCount: 1 });
  });

  it("refuses a user's insert into alert_history even in their own name", async () => {
    const own = await attempt(
      b,
      `insert into alert_history (user_id, alert_type, title, message)
       values ($1, 'job_failed', 'Forged', 'Not from the service')`,
      [b],
    );
    expect(own).toMatchObject({ code: "42501", message: /permission denied/ });
    const { rows } = await db.query("select 1 from alert_history where title = 'Forged'");
    expect(rows).toEqual([]);
  });

  it("refuses a user any access to the migrations ledger", async () => {
    const read = await attempt(a, "select * from alerts_schema_migrations");
    expect(read).toMatchObject({ code: "42501", message: /permission denied/ });
  });

  it("runs later queries on the same pooled connection as the owner again", async () => {
    // One connection only, so the plain query below reuses withUser's connection.
    const single = testDb.url ? createPgDb({ connectionString: testDb.url, max: 1 }) : db;
    try {
      const owner = (await single.query<{ u: string }>("select current_user as u")).rows[0]?.u;
      const inside = await withUser(single, a, async (tx) => {
        const { rows } = await tx.query<{ u: string; uid: string }>(
          "select current_user as u, auth.uid() as uid",
        );
        return rows[0];
      });
      expect(inside).toEqual({ u: API_ROLE, uid: a });

      const after = await single.query<{ u: string; uid: string | null; n: number }>(
        "select current_user as u, auth.uid() as uid, (select count(*)::int from user_webhooks) as n",
      );
      expect(owner).not.toBe(API_ROLE);
      expect(after.rows[0]).toMatchObject({ u: owner, uid: null });
      // The owner sees both users' webhooks, not only A's.
      expect(after.rows[0]?.n).toBeGreaterThanOrEqual(2);
    } finally {
      if (single !== db) await single.close();
    }
  });
});
