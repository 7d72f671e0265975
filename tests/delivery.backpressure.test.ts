import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { processInbox } from "@/lib/alerts/alert.service";
import { startDeliveryBatch } from "@/lib/alerts/delivery/deliver";
import { call, SERVICE_KEY, type TestUser } from "./helpers/app";
import { engineTestApp } from "./helpers/engine-app";
import { userWithWebhook } from "./helpers/fixtures";
import { type Responder, startReceiver } from "./helpers/receiver";

const t = engineTestApp({
  ALERTS_RATE_LIMIT_PER_HOUR: "100000",
  ALERTS_WEBHOOK_RETRY_SCHEDULE: "5,60,600",
});

async function userWithHook(type: "slack" | "discord" | "generic", respond: Responder) {
  const receiver = await startReceiver(respond);
  const { user, webhookId } = await userWithWebhook(
    t.app,
    `${receiver.url}/hook`,
    { name: type, webhook_type: type },
    { ungrouped: true },
  );
  return { user, receiver, webhookId };
}

async function burst(user: TestUser, n: number): Promise<string[]> {
  const jobs: string[] = [];
  for (let i = 0; i < n; i++) {
    const jobId = randomUUID();
    jobs.push(jobId);
    const res = await call(postEvent, "POST", "/api/alerts/events", {
      token: SERVICE_KEY,
      body: {
        type: "job_started",
        user_id: user.id,
        job_id: jobId,
        data: { model_name: `model-${i}` },
      },
    });
    expect(res.status).toBe(202);
  }
  return jobs;
}

async function statusesOf(user: TestUser) {
  const { rows } = await t.app.ctx.db.query<{ status: string; n: number }>(
    `select status, count(*)::int as n from alert_deliveries where user_id = $1
     group by status order by status`,
    [user.id],
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

describe("back-pressure per destination", () => {
  it("spreads a burst of 200 alerts to one Slack webhook at one message a second, losing none", async () => {
    const { user, receiver } = await userWithHook("slack", () => ({ status: 200, body: "ok" }));
    const jobs = await burst(user, 200);

    // Each second of the clock lets exactly one more message through.
    const perSecond: number[] = [];
    for (let second = 0; second < 200; second++) {
      const before = receiver.requests.length;
      await t.engine.drain();
      perSecond.push(receiver.requests.length - before);
      t.tick(1000);
    }
    expect(perSecond).toEqual(Array(200).fill(1));
    await t.engine.drain();
    expect(receiver.requests).toHaveLength(200);
    expect(await statusesOf(user)).toEqual({ delivered: 200 });

    // Every alert once.
    const models = receiver.requests.map((r) => /model-(\d+)/.exec(r.body)?.[1] ?? "none");
    expect(new Set(models).size).toBe(200);
    expect(models.sort()).toEqual(jobs.map((_, i) => String(i)).sort());
  }, 180_000);

  it("keeps one pace when two workers claim deliveries to the same Slack webhook at once", async () => {
    const { user, receiver } = await userWithHook("slack", () => ({ status: 200, body: "ok" }));
    await burst(user, 6);
    await processInbox(t.engine.deps);
    expect(await statusesOf(user)).toEqual({ pending: 6 });
    // Two batches claimed concurrently, as two workers would.
    const batches = await Promise.all([
      startDeliveryBatch(t.engine.deps, { limit: 3 }),
      startDeliveryBatch(t.engine.deps, { limit: 3 }),
    ]);
    expect(batches.reduce((n, b) => n + b.claimed, 0)).toBe(6);
    await Promise.all(batches.map((b) => b.done));
    expect(batches.reduce((n, b) => n + b.sending, 0)).toBe(1);
    expect(batches.reduce((n, b) => n + b.postponed, 0)).toBe(5);
    expect(receiver.requests).toHaveLength(1);
    // Handed back before any attempt: pending again, not retrying.
    expect(await statusesOf(user)).toEqual({ delivered: 1, pending: 5 });

    // The other five go one a second after it.
    for (let second = 1; second <= 5; second++) {
      t.tick(1000);
      await t.engine.drain();
      expect(receiver.requests).toHaveLength(1 + second);
    }
    expect(await statusesOf(user)).toEqual({ delivered: 6 });
  });

  it("holds every delivery to a Discord webhook for the retry_after its 429 names, then sends them all", async () => {
    const { user, receiver, webhookId } = await userWithHook("discord", (_req, n) =>
      n === 0
        ? {
            status: 429,
            body: JSON.stringify({ message: "You are being rate limited.", retry_after: 30.5 }),
          }
        : { status: 200, body: "{}" },
    );
    await burst(user, 3);
    await t.engine.drain();
    expect(receiver.requests.map((r) => r.status)).toEqual([429]);

    // Discord's pace (one each 2 s) would let the others go; the hold does not.
    for (let s = 0; s < 30; s += 2) {
      t.tick(2000);
      await t.engine.drain();
    }
    expect(receiver.requests).toHaveLength(1);
    const { rows } = await t.app.ctx.db.query<{ held_until: Date }>(
      "select held_until from user_webhooks where id = $1",
      [webhookId],
    );
    expect(rows[0]?.held_until.getTime()).toBe(new Date("2026-03-02T12:00:30.500Z").getTime());

    // After the hold, all three arrive (paced), the refused one included.
    for (let s = 0; s < 10; s++) {
      t.tick(1000);
      await t.engine.drain();
    }
    expect(receiver.requests.map((r) => r.status)).toEqual([429, 200, 200, 200]);
    expect(await statusesOf(user)).toEqual({ delivered: 3 });
  });

  it("does not pace generic webhooks", async () => {
    const { user, receiver } = await userWithHook("generic", () => ({ status: 204 }));
    await burst(user, 20);
    await t.engine.drain();
    expect(receiver.requests).toHaveLength(20);
    // None was handed back to wait.
    expect(await statusesOf(user)).toEqual({ delivered: 20 });
  });
});
