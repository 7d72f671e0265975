import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgDb } from "@/lib/db/pg";
import type { Db } from "@/lib/db/types";
import { createTestDb, ENGINE, type TestDb } from "./helpers/db";

// Both Db kinds keep a prepared statement per SQL text with parameters
// (lib/db/pg.ts, lib/db/pglite.ts). On PostgreSQL the test uses a pool of one
// connection, so every statement meets the statements that connection prepared.
describe(`Prepared statements on ${ENGINE}`, () => {
  let t: TestDb;
  let db: Db;
  beforeAll(async () => {
    t = await createTestDb({ migrate: false });
    db = t.url ? createPgDb({ connectionString: t.url, max: 1 }) : t.db;
    await db.exec("create table t (id int primary key, label text)");
    await db.exec("insert into t values (1, 'one'), (2, 'two')");
  });
  afterAll(async () => {
    if (db !== t.db) await db.close();
    await t.drop();
  });

  const prepared = async (text: string) =>
    (
      await db.query<{ n: number }>(
        "select count(*)::int as n from pg_prepared_statements where statement = $1 and not from_sql",
        [text],
      )
    ).rows[0]?.n;

  it("are prepared once for a text run many times, and answer each run's parameters", async () => {
    const text = "select label from t where id = $1";
    for (const [id, label] of [
      [1, "one"],
      [2, "two"],
      [1, "one"],
      [2, "two"],
      [1, "one"],
      [2, "two"],
      [1, "one"],
    ] as const) {
      expect((await db.query(text, [id])).rows).toEqual([{ label }]);
    }
    expect(await prepared(text)).toBe(1);
  });

  it("answer again after a column is added under a prepared `select *`, outside and inside a transaction", async () => {
    const text = "select * from t where id = $1";
    expect((await db.query(text, [1])).rows).toEqual([{ id: 1, label: "one" }]);
    await db.exec("alter table t add column note text default 'n'");
    // Outside a transaction the statement is prepared again and run once more.
    expect((await db.query(text, [1])).rows).toEqual([{ id: 1, label: "one", note: "n" }]);
    await db.exec("alter table t add column extra int default 7");
    // Inside one the transaction fails (PostgreSQL aborted it); the next one answers.
    await expect(db.transaction((tx) => tx.query(text, [2]))).rejects.toMatchObject({
      code: "0A000",
    });
    const again = await db.transaction((tx) => tx.query(text, [2]));
    expect(again.rows).toEqual([{ id: 2, label: "two", note: "n", extra: 7 }]);
  });

  it("keep answering past the number of texts a connection keeps prepared", async () => {
    for (let i = 0; i < 230; i++) {
      expect((await db.query(`select $1::int + ${i} as v`, [1])).rows).toEqual([{ v: 1 + i }]);
    }
    expect((await db.query("select $1::int + 0 as v", [41])).rows).toEqual([{ v: 41 }]);
    const { rows } = await db.query<{ n: number }>(
      "select count(*)::int as n from pg_prepared_statements where not from_sql and name <> $1",
      [""],
    );
    expect(rows[0]?.n).toBeLessThanOrEqual(201);
  });

  it("report a failing statement, and fail the same way the next time", async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(
        db.query("select * from no_such_table where id = $1", [1]),
      ).rejects.toMatchObject({ code: "42P01" });
    }
  });
});
