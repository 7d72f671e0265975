import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processInbox } from "@/lib/alerts/alert.service";
import { LEGACY_DELIVER_QUEUE, startQueue } from "@/lib/queue/queue";
import { startTestApp, type TestApp } from "./helpers/app";
import { manualEngine } from "./helpers/engine";
import { postJobStarted, userWithWebhook } from "./helpers/fixtures";
import { startReceiver } from "./helpers/receiver";

let app: TestApp;
let engine: Awaited<ReturnType<typeof manualEngine>>;
beforeAll(async () => {
  app = await startTestApp({
    ALERTS_WEBHOOK_ALLOW_HTTP: "true",
    ALERTS_WEBHOOK_ALLOWED_CIDRS: "127.0.0.0/8",
  });
  engine = await manualEngine(app);
});
afterAll(async () => {
  await engine?.stop();
  await app?.close();
});

describe("upgrading from pg-boss delivery jobs", () => {
  it("sends a delivery whose old job was still queued once, leaves one an old worker was sending to its lease, and deletes the old queue", async () => {
    const receiver = await startReceiver();
    try {
      const { user } = await userWithWebhook(
        app,
        `${receiver.url}/hook`,
        {},
        { ungrouped: true, emailOff: true },
      );
      for (let i = 0; i < 2; i++) await postJobStarted(user.id);
      await processInbox(engine.deps);
      const { rows } = await app.ctx.db.query<{ id: string }>(
        "select id from alert_deliveries where user_id = $1 order by id",
        [user.id],
      );
      const [queued, inFlight] = rows.map((r) => r.id);
      if (!queued || !inFlight) throw new Error("expected two deliveries");

      // The state the old engine left: a pending row with no due time whose
      // pg-boss job is waiting, and a row an old worker is sending right now.
      const now = app.ctx.clock();
      await app.ctx.db.query("update alert_deliveries set next_attempt_at = null where id = $1", [
        queued,
      ]);
      await app.ctx.db.query(
        "update alert_deliveries set status = 'sending', attempts = 1, lease_until = $2, next_attempt_at = null where id = $1",
        [inFlight, new Date(now.getTime() + 30_000)],
      );
      await engine.queue.boss.createQueue(LEGACY_DELIVER_QUEUE);
      await engine.queue.boss.send(LEGACY_DELIVER_QUEUE, { delivery_id: queued, attempt: 0 });
      await engine.queue.boss.send(LEGACY_DELIVER_QUEUE, { delivery_id: inFlight, attempt: 0 });

      // The upgrade: migration 0009 (idempotent), then a start-up.
      const migration = await readFile(
        path.resolve("supabase/migrations/0009_delivery_queue.sql"),
        "utf8",
      );
      await app.ctx.db.exec(migration);
      const restarted = await startQueue({ db: app.ctx.db, log: app.ctx.log, supervise: false });
      try {
        expect(await restarted.boss.getQueue(LEGACY_DELIVER_QUEUE)).toBeNull();
      } finally {
        await restarted.stop({ graceful: false, timeoutMs: 1000 });
      }

      await engine.drain();
      expect(receiver.requests.map((r) => r.headers["webhook-id"])).toEqual([`msg_${queued}`]);
      const { rows: after } = await app.ctx.db.query<{ id: string; status: string }>(
        "select id, status from alert_deliveries where user_id = $1 order by id",
        [user.id],
      );
      expect(after).toEqual([
        { id: queued, status: "delivered" },
        { id: inFlight, status: "sending" },
      ]);
    } finally {
      await receiver.close();
    }
  });
});
