import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type Worker } from "@/lib/engine/worker";
import { startTestApp, type TestApp } from "./helpers/app";
import { waitUntil } from "./helpers/wait";

let app: TestApp;
let worker: Worker;
beforeAll(async () => {
  app = await startTestApp();
  worker = await startWorker(app.ctx, { pollMs: 20, vacuumEveryMs: 100 });
});
afterAll(async () => {
  await worker?.stop(2000);
  await app?.close();
});

const lastVacuum = async (table: string) => {
  const { rows } = await app.ctx.db.query<{ last_vacuum: Date | null; last_analyze: Date | null }>(
    "select last_vacuum, last_analyze from pg_stat_user_tables where relname = $1",
    [table],
  );
  return rows[0] ?? { last_vacuum: null, last_analyze: null };
};

describe("database maintenance by the worker", () => {
  it("vacuums and analyses the embedded database on its interval, and leaves PostgreSQL to autovacuum", async () => {
    if (app.ctx.db.kind === "pglite") {
      // PGlite has no autovacuum: without the worker these stay null forever.
      // The assertions below report it if the first vacuum does not come in time.
      await waitUntil(
        "the worker's first vacuum",
        async () => (await lastVacuum("alert_deliveries")).last_vacuum !== null,
        { timeoutMs: 10_000 },
      ).catch(() => {});
      for (const table of ["alert_events", "alert_deliveries", "user_webhooks", "alert_history"]) {
        const stats = await lastVacuum(table);
        expect(stats.last_vacuum, table).toBeInstanceOf(Date);
        expect(stats.last_analyze, table).toBeInstanceOf(Date);
      }
    } else {
      // Several intervals pass; a manual VACUUM would show as last_vacuum.
      await new Promise((r) => setTimeout(r, 600));
      expect(await lastVacuum("alert_deliveries")).toEqual({
        last_vacuum: null,
        last_analyze: null,
      });
    }
  });
});
