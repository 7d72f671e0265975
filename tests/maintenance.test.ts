import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type Worker } from "@/lib/engine/worker";
import { startTestApp, type TestApp } from "./helpers/app";
import { waitForEvent } from "./helpers/wait";

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
      await waitForEvent(worker.events, "maintenance:vacuumed");
      for (const table of ["alert_events", "alert_deliveries", "user_webhooks", "alert_history"]) {
        const stats = await lastVacuum(table);
        expect(stats.last_vacuum, table).toBeInstanceOf(Date);
        expect(stats.last_analyze, table).toBeInstanceOf(Date);
      }
    } else {
      // No sleep: the worker's loop checks the vacuum interval at every inbox
      // pass, and passes keep coming (pollMs 20). Once passes have run for
      // several vacuum intervals, the embedded vacuum would have run (a manual
      // VACUUM shows as last_vacuum); on PostgreSQL the worker leaves it to
      // autovacuum.
      const started = performance.now();
      await waitForEvent(worker.events, "inbox:processed", () => performance.now() - started > 500);
      expect(await lastVacuum("alert_deliveries")).toEqual({
        last_vacuum: null,
        last_analyze: null,
      });
    }
  });
});
