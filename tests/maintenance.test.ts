import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type Worker } from "@/lib/engine/worker";
import { startTestApp, type TestApp } from "./helpers/app";
import { waitForEvent } from "./helpers/wait";

const VACUUM_EVERY_MS = 60_000;

let app: TestApp;
let worker: Worker;
// The real time the vacuum interval runs on, moved by the test.
let elapsed = 0;
beforeAll(async () => {
  app = await startTestApp();
  worker = await startWorker(app.ctx, {
    pollMs: 20,
    // One inbox loop on both engines: the one that runs the chores (the
    // vacuum among them) before each of its passes, so every pass counts.
    inboxLoops: 1,
    vacuumEveryMs: VACUUM_EVERY_MS,
    elapsedMs: () => elapsed,
  });
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
    const vacuums: number[] = [];
    worker.events.on("maintenance:vacuumed", ({ ms }) => vacuums.push(ms));
    // A vacuum interval goes by. The worker's loop checks it at every inbox
    // pass, and passes keep coming (pollMs 20): the second pass to finish from
    // now began after the interval was up, so an embedded worker has vacuumed
    // by then (a manual VACUUM shows as last_vacuum).
    elapsed += VACUUM_EVERY_MS;
    let passes = 0;
    await waitForEvent(worker.events, "inbox:processed", () => ++passes === 2);
    if (app.ctx.db.kind === "pglite") {
      // PGlite has no autovacuum: without the worker these stay null forever.
      expect(vacuums).toHaveLength(1);
      for (const table of ["alert_events", "alert_deliveries", "user_webhooks", "alert_history"]) {
        const stats = await lastVacuum(table);
        expect(stats.last_vacuum, table).toBeInstanceOf(Date);
        expect(stats.last_analyze, table).toBeInstanceOf(Date);
      }
    } else {
      // On PostgreSQL the worker leaves it to autovacuum.
      expect(vacuums).toEqual([]);
      expect(await lastVacuum("alert_deliveries")).toEqual({
        last_vacuum: null,
        last_analyze: null,
      });
    }
  });
});
