import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { GET as getHistory } from "@/app/api/alerts/history/route";
import { POST as createWebhook } from "@/app/api/alerts/webhooks/route";
import { processInbox } from "@/lib/alerts/alert.service";
import { startDeliveryBatch } from "@/lib/alerts/delivery/deliver";
import { DestinationLimiter, destinationKey } from "@/lib/alerts/delivery/destination-limiter";
import { claimDueDeliveries } from "@/lib/alerts/sql/claim-due-deliveries";
import { readQueueGauges } from "@/lib/metrics/gauges";
import { call, makeUngroupedUser, SERVICE_KEY, type TestUser } from "./helpers/app";
import { engineTestApp } from "./helpers/engine-app";
import { startReceiver } from "./helpers/receiver";

const t = engineTestApp({ ALERTS_RATE_LIMIT_PER_HOUR: "100000" });
const LEASE_MS = 30_000;

/** A user with one webhook of `type` on a receiver answering 200, and `n` job_started alerts, processed. */
async function userWithAlerts(type: "slack" | "generic", n: number) {
  const receiver = await startReceiver(() => ({ status: 200, body: "ok" }));
  const user = await makeUngroupedUser(t.app);
  const res = await call(createWebhook, "POST", "/api/alerts/webhooks", {
    token: user.token,
    body: { name: type, url: `${receiver.url}/hook`, webhook_type: type, alert_job_started: true },
  });
  expect(res.status).toBe(201);
  for (let i = 0; i < n; i++) {
    const event = await call(postEvent, "POST", "/api/alerts/events", {
      token: SERVICE_KEY,
      body: { type: "job_started", user_id: user.id, job_id: randomUUID(), data: {} },
    });
    expect(event.status).toBe(202);
  }
  await processInbox(t.engine.deps);
  return { user, receiver, webhookId: res.body.id as string };
}

async function deliveriesOf(user: TestUser) {
  const { rows } = await t.app.ctx.db.query<{
    id: string;
    status: string;
    attempts: number;
    next_attempt_at: Date | null;
  }>(
    "select id, status, attempts, next_attempt_at from alert_deliveries where user_id = $1 order by created_at, id",
    [user.id],
  );
  return rows;
}

const claim = (limit: number) =>
  t.app.ctx.db.transaction((tx) =>
    claimDueDeliveries(tx, {
      now: t.app.ctx.clock(),
      leaseUntil: new Date(t.app.ctx.clock().getTime() + LEASE_MS),
      limit,
    }),
  );

describe("claiming due deliveries", () => {
  it("claims at most its limit, due rows and expired leases together", async () => {
    const { user, receiver } = await userWithAlerts("generic", 4);
    try {
      // Two claimed and never recorded (their worker died), two still due.
      expect(await claim(2)).toHaveLength(2);
      t.tick(LEASE_MS + 1000);
      const first = await claim(2);
      expect(first).toHaveLength(2);
      const second = await claim(2);
      expect(second).toHaveLength(2);
      expect(await claim(2)).toHaveLength(0);
      // Each delivery once, the lost ones taken over with their lost attempt counted.
      const ids = [...first, ...second].map((d) => d.id);
      expect(new Set(ids).size).toBe(4);
      expect([...first, ...second].map((d) => d.attempts).sort()).toEqual([1, 1, 2, 2]);
      expect((await deliveriesOf(user)).every((d) => d.status === "sending")).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it("takes no destination slot in a claim that fails, so the next claim still sends", async () => {
    // Two alerts to one Slack webhook: the first goes now, the second is handed
    // back (in the claim's transaction) for its paced slot a second later.
    const { user, receiver, webhookId } = await userWithAlerts("slack", 2);
    const limiter = new DestinationLimiter(1, 0);
    const key = destinationKey({ channel: "webhook", webhook_id: webhookId });
    await t.app.ctx.db.exec(`
      create function refuse_hand_back() returns trigger language plpgsql as $$
      begin
        if new.attempts < old.attempts then raise exception 'the database is restarting'; end if;
        return new;
      end $$;
      create trigger refuse_hand_back before update on alert_deliveries
        for each row execute function refuse_hand_back();`);
    try {
      await expect(startDeliveryBatch(t.engine.deps, { limit: 10, limiter })).rejects.toThrow(
        /restarting/,
      );
      // Rolled back: nothing was claimed, and no slot is held for a send that will not happen.
      expect(limiter.count(key)).toBe(0);
      expect((await deliveriesOf(user)).map((d) => d.status)).toEqual(["pending", "pending"]);
    } finally {
      await t.app.ctx.db.exec(
        "drop trigger refuse_hand_back on alert_deliveries; drop function refuse_hand_back();",
      );
    }
    const batch = await startDeliveryBatch(t.engine.deps, { limit: 10, limiter });
    expect(batch.sending).toBe(1);
    expect(await batch.done).toEqual(["delivered"]);
    expect(receiver.requests).toHaveLength(1);
    expect(limiter.count(key)).toBe(0);
    // The second at its paced slot.
    t.tick(1000);
    await t.engine.drain();
    expect(receiver.requests).toHaveLength(2);
    await receiver.close();
  });

  it("hands a delivery back as pending when it was never attempted: history and the due gauge agree", async () => {
    const { user, receiver } = await userWithAlerts("slack", 2);
    try {
      const batch = await startDeliveryBatch(t.engine.deps, { limit: 10 });
      expect(batch.sending).toBe(1);
      expect(batch.postponed).toBe(1);
      await batch.done;
      const [sent, waiting] = await deliveriesOf(user);
      expect(sent?.status).toBe("delivered");
      // No attempt was made: it is pending again, due at its paced slot, its attempt not counted.
      expect(waiting).toMatchObject({ status: "pending", attempts: 0 });
      expect(waiting?.next_attempt_at?.getTime()).toBeGreaterThan(t.now.getTime());

      const history = await call<{ items: { status: string; deliveries: { status: string }[] }[] }>(
        getHistory,
        "GET",
        "/api/alerts/history",
        { token: user.token },
      );
      expect(history.status).toBe(200);
      expect(history.body.items.map((a) => a.status).sort()).toEqual(["pending", "sent"]);
      expect(history.body.items.flatMap((a) => a.deliveries.map((d) => d.status)).sort()).toEqual([
        "delivered",
        "pending",
      ]);
      // Not counted as due before its slot, and due once it comes.
      const before = await readQueueGauges(t.app.ctx.db, t.now);
      t.tick(1000);
      const after = await readQueueGauges(t.app.ctx.db, t.now);
      expect(after.deliveriesDue - before.deliveriesDue).toBe(1);
      await t.engine.drain();
      expect(receiver.requests).toHaveLength(2);
      expect((await deliveriesOf(user)).map((d) => [d.status, d.attempts])).toEqual([
        ["delivered", 1],
        ["delivered", 1],
      ]);
    } finally {
      await receiver.close();
    }
  });
});
