import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgliteDb } from "@/lib/db/pglite";
import type { Db } from "@/lib/db/types";

// The PGlite Db keeps a prepared statement per SQL text and creates a new
// data directory from a child process (lib/db/pglite.ts); these check what
// that must not change. PGlite only: PostgreSQL goes through `pg`.
describe("PGlite statements with parameters", () => {
  let db: Db;
  beforeAll(async () => {
    db = await createPgliteDb();
    await db.exec("create table t (id int primary key, doc jsonb, at timestamptz, tags text[])");
  });
  afterAll(() => db.close());

  it("serialise and parse values as PGlite's own query() does, run after run", async () => {
    const at = new Date("2026-03-01T12:00:00Z");
    for (let id = 1; id <= 8; id++) {
      const inserted = await db.query(
        "insert into t (id, doc, at, tags) values ($1, $2, $3, $4) returning id, doc, at, tags",
        [id, { n: id, s: "x" }, at, ["a", "b"]],
      );
      expect(inserted).toEqual({
        rows: [{ id, doc: { n: id, s: "x" }, at, tags: ["a", "b"] }],
        rowCount: 1,
      });
    }
    const updated = await db.query("update t set doc = $2 where id <= $1", [3, '{"k":1}']);
    expect(updated.rowCount).toBe(3);
    expect((await db.query("select doc from t where id = $1", [2])).rows).toEqual([
      { doc: { k: 1 } },
    ]);
  });

  it("keep answering correctly past the number of statements kept", async () => {
    for (let i = 0; i < 230; i++) {
      const { rows } = await db.query(`select $1::int + ${i} as v`, [1]);
      expect(rows).toEqual([{ v: 1 + i }]);
    }
    // The first ones were closed to make room; they are prepared again.
    expect((await db.query("select $1::int + 0 as v", [41])).rows).toEqual([{ v: 41 }]);
  });

  it("report a failed statement with its text, and fail again the same way", async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(
        db.query("select * from no_such_table where id = $1", [1]),
      ).rejects.toMatchObject({
        code: "42P01",
        query: "select * from no_such_table where id = $1",
      });
    }
    await expect(db.query("insert into t (id) values ($1)", [1])).rejects.toMatchObject({
      code: "23505",
    });
    expect((await db.query("select count(*)::int as n from t where id > $1", [0])).rows).toEqual([
      { n: 8 },
    ]);
  });

  it("run inside a transaction, and roll back with it", async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query("insert into t (id) values ($1)", [100]);
        expect((await tx.query("select id from t where id = $1", [100])).rows).toEqual([
          { id: 100 },
        ]);
        throw new Error("abandon");
      }),
    ).rejects.toThrow("abandon");
    expect((await db.query("select id from t where id = $1", [100])).rows).toEqual([]);
  });
});

describe("a new PGlite data directory", () => {
  it("is created (by a child process), opens again, and leaves nothing beside it", async () => {
    const parent = mkdtempSync(path.join(tmpdir(), "ta-pglite-"));
    try {
      const dir = path.join(parent, "pglite");
      mkdirSync(dir);
      const first = await createPgliteDb(dir);
      await first.exec("create table kept (v int); insert into kept values (7)");
      await first.close();
      expect(existsSync(path.join(dir, "PG_VERSION"))).toBe(true);
      expect(readdirSync(parent)).toEqual(["pglite"]);
      const again = await createPgliteDb(dir);
      expect((await again.query("select v from kept where v = $1", [7])).rows).toEqual([{ v: 7 }]);
      expect((await again.query("show shared_buffers")).rows).toEqual([{ shared_buffers: "16MB" }]);
      await again.close();
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
