import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { claimBatch } from "@/lib/alerts/delivery/claim";
import { LEASE_MS } from "@/lib/alerts/delivery/delivery.types";
import { cardOf } from "@/lib/alerts/delivery/send";
import { loadGroupCard } from "@/lib/alerts/grouping/load-group-card";
import { call, SERVICE_KEY, type TestUser } from "./helpers/app";
import { manualEngine } from "./helpers/engine";
import { engineTestApp } from "./helpers/engine-app";
import { userWithWebhook } from "./helpers/fixtures";
import { startReceiver } from "./helpers/receiver";

/**
 * Batches are rows committed with their alerts: a worker that dies during a
 * window, or after it closed a batch but before it sent or recorded the
 * message, loses no member and sends no message twice. The worker's death
 * is simulated in process (its in-memory state is dropped and another
 * worker carries on from the database); the process-level SIGKILL suite
 * (tests/faults/worker-kills.test.ts) covers the lease takeover itself.
 */

const T0 = new Date("2026-03-02T12:00:00Z");
const t = engineTestApp({}, { start: T0, engine: false });

/** Email off: the webhook's messages are what is counted. */
async function userWithGenericHook() {
  const receiver = await startReceiver(() => ({ status: 200, body: "ok" }));
  const { user } = await userWithWebhook(
    t.app,
    `${receiver.url}/hook`,
    { secret: "generate" },
    { emailOff: true },
  );
  return { user, receiver };
}

async function fail(user: TestUser, model: string) {
  const res = await call(postEvent, "POST", "/api/alerts/events", {
    token: SERVICE_KEY,
    body: {
      type: "job_failed",
      user_id: user.id,
      job_id: randomUUID(),
      data: { model_name: model },
    },
  });
  expect(res.status).toBe(202);
}

/** Every model named by the messages the receiver got, with how often. */
function modelsSent(requests: { body: string }[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const r of requests) {
    const body = JSON.parse(r.body);
    const models: string[] =
      body.type === "alert.group"
        ? body.data.alerts.map((a: { data: { model_name: string } }) => a.data.model_name)
        : [body.data.model_name];
    for (const m of models) seen.set(m, (seen.get(m) ?? 0) + 1);
  }
  return seen;
}

describe("grouping durability", () => {
  it("loses nothing when the worker dies during an open window: another worker sends the batch once", async () => {
    const { user, receiver } = await userWithGenericHook();
    const first = await manualEngine(t.app);
    for (let i = 0; i < 10; i++) {
      await fail(user, `m-${i}`);
      await first.drain();
      t.tick(500);
    }
    expect(receiver.requests).toHaveLength(1);
    // The worker dies with the window open; nothing of the batch lived in its memory.
    await first.stop();

    const second = await manualEngine(t.app);
    try {
      t.tick(60_000);
      await second.drain();
      expect(receiver.requests).toHaveLength(2);
      const seen = modelsSent(receiver.requests);
      expect([...seen.keys()].sort()).toEqual(
        Array.from({ length: 10 }, (_, i) => `m-${i}`).sort(),
      );
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
      t.tick(120_000);
      await second.drain();
      expect(receiver.requests).toHaveLength(2);
    } finally {
      await second.stop();
    }
  });

  it("sends a closed batch once with the same members when its worker died before sending, and a late member goes in the next batch", async () => {
    const { user, receiver } = await userWithGenericHook();
    const engine = await manualEngine(t.app);
    try {
      for (let i = 0; i < 5; i++) {
        await fail(user, `k-${i}`);
        await engine.drain();
      }
      expect(receiver.requests).toHaveLength(1);
      t.tick(60_000);

      // A worker claims the group message and closes its batch, then dies before sending.
      const batch = await claimBatch(engine.deps, 10);
      const claimed = batch.planned.map((p) => p.d);
      expect(claimed.map((d) => d.alert_type)).toEqual(["alert_group"]);
      const d = claimed[0];
      if (!d) throw new Error("no group message was claimed");
      const card = await loadGroupCard(t.app.ctx.db, {
        messageCard: cardOf(d, t.app.ctx.config.appUrl),
        batchId: String(d.data.batch_id),
        now: t.app.ctx.clock(),
      });
      expect(card?.group?.total).toBe(4);

      // A failure after the close joins no closed batch: it opens the next one.
      await fail(user, "late");
      await engine.drain();
      expect(receiver.requests).toHaveLength(1);

      // The lease runs out; another worker takes the message over and sends it once.
      t.tick(LEASE_MS + 1000);
      await engine.drain();
      expect(receiver.requests).toHaveLength(2);
      const group = JSON.parse(receiver.requests[1]?.body ?? "{}");
      expect(group.type).toBe("alert.group");
      expect(group.data.count).toBe(4);
      expect(receiver.requests[1]?.headers["webhook-id"]).toBe(`msg_${d.id}`);

      t.tick(60_000);
      await engine.drain();
      expect(receiver.requests).toHaveLength(3);
      const seen = modelsSent(receiver.requests);
      expect([...seen.entries()].sort()).toEqual([
        ...["k-0", "k-1", "k-2", "k-3", "k-4", "late"].map((m) => [m, 1] as [string, number]),
      ]);
      const { rows } = await t.app.ctx.db.query(
        "select 1 from alert_deliveries where user_id = $1 and status <> 'delivered'",
        [user.id],
      );
      expect(rows).toEqual([]);
    } finally {
      await engine.stop();
    }
  });
});
