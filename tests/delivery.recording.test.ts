import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PUT as putPrefs } from "@/app/api/alerts/preferences/route";
import { POST as createWebhook } from "@/app/api/alerts/webhooks/route";
import { processInbox } from "@/lib/alerts/alert.service";
import type { ChannelResult } from "@/lib/alerts/channels/channel.types";
import { startDeliveryBatch } from "@/lib/alerts/delivery/deliver";
import { DestinationLimiter } from "@/lib/alerts/delivery/destination-limiter";
import { OutcomeRecorder, recordOutcomes, type SentAttempt } from "@/lib/alerts/delivery/record";
import { type ClaimedDelivery, claimDueDeliveries } from "@/lib/alerts/sql/claim-due-deliveries";
import { call, makeUngroupedUser, startTestApp, type TestApp, type TestUser } from "./helpers/app";
import { manualEngine } from "./helpers/engine";
import { postJobStarted, userWithWebhook } from "./helpers/fixtures";
import { startReceiver } from "./helpers/receiver";

let app: TestApp;
let engine: Awaited<ReturnType<typeof manualEngine>>;
beforeAll(async () => {
  app = await startTestApp({
    ALERTS_WEBHOOK_ALLOW_HTTP: "true",
    ALERTS_WEBHOOK_ALLOWED_CIDRS: "127.0.0.0/8",
    ALERTS_WEBHOOK_RETRY_SCHEDULE: "5,60,600",
    ALERTS_WEBHOOK_DISABLE_AFTER: "2",
  });
  engine = await manualEngine(app);
});
afterAll(async () => {
  await engine?.stop();
  await app?.close();
});
const NOW = new Date("2026-03-02T12:00:00Z");
beforeEach(() => app.setNow(NOW));

const ok: ChannelResult = { verdict: "delivered", statusCode: 200, error: null, durationMs: 3 };
const refused: ChannelResult = {
  verdict: "failed",
  statusCode: 400,
  error: "HTTP 400",
  durationMs: 3,
};
const busy: ChannelResult = { verdict: "retry", statusCode: 503, error: "HTTP 503", durationMs: 3 };

/** A user with webhooks "a" and "b" (no email) and `n` alerts, each delivery claimed for its first attempt. */
async function claimedDeliveries(n: number) {
  const user = await makeUngroupedUser(app);
  await call(putPrefs, "PUT", "/api/alerts/preferences", {
    token: user.token,
    body: { email_enabled: false },
  });
  const hooks: Record<string, string> = {};
  for (const name of ["a", "b"]) {
    const res = await call(createWebhook, "POST", "/api/alerts/webhooks", {
      token: user.token,
      body: {
        name,
        url: `http://127.0.0.1:9/${name}`,
        webhook_type: "generic",
        alert_job_started: true,
      },
    });
    expect(res.status).toBe(201);
    hooks[name] = res.body.id as string;
  }
  for (let i = 0; i < n; i++) await postJobStarted(user.id);
  await processInbox(engine.deps);
  // Every due delivery is this user's: earlier tests left theirs claimed or due later.
  const claimed = await app.ctx.db.transaction((tx) =>
    claimDueDeliveries(tx, { now: NOW, leaseUntil: new Date(NOW.getTime() + 30_000), limit: 100 }),
  );
  expect(claimed.every((d) => d.user_id === user.id)).toBe(true);
  const of = (name: string) =>
    claimed
      .filter((d) => d.webhook_id === hooks[name])
      .sort(
        (x, y) =>
          x.alert_created_at.getTime() - y.alert_created_at.getTime() || (x.id < y.id ? -1 : 1),
      );
  return { user, hooks, a: of("a"), b: of("b") };
}

async function deliveryRows(user: TestUser) {
  const { rows } = await app.ctx.db.query<{
    id: string;
    status: string;
    last_status_code: number | null;
    next_attempt_at: Date | null;
    lease_until: Date | null;
  }>(
    "select id, status, last_status_code, next_attempt_at, lease_until from alert_deliveries where user_id = $1",
    [user.id],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

async function webhookHealth(id: string | undefined) {
  const { rows } = await app.ctx.db.query<{
    failure_count: number;
    enabled: boolean;
    last_status_code: number | null;
  }>("select failure_count, enabled, last_status_code from user_webhooks where id = $1", [id]);
  return rows[0];
}

function at<T>(list: readonly T[], i: number): T {
  const item = list[i];
  if (item === undefined) throw new Error(`no item ${i}`);
  return item;
}

describe("recording delivery outcomes", () => {
  it("records a batch in one go: each delivery's status, and each webhook's health in the order the sends finished", async () => {
    const { user, hooks, a, b } = await claimedDeliveries(3);
    const sent: SentAttempt[] = [
      { claimed: at(a, 0), result: ok },
      { claimed: at(b, 0), result: ok },
      { claimed: at(a, 1), result: refused },
      { claimed: at(b, 1), result: ok },
      { claimed: at(a, 2), result: busy },
      { claimed: at(b, 2), result: ok },
    ];
    const outcomes = await recordOutcomes(engine.deps, sent);
    expect(outcomes).toEqual([
      "delivered",
      "delivered",
      "failed",
      "delivered",
      "retrying",
      "delivered",
    ]);

    const rows = await deliveryRows(user);
    expect(rows.get(at(a, 1).id)).toMatchObject({ status: "failed", last_status_code: 400 });
    expect(rows.get(at(a, 2).id)).toMatchObject({
      status: "retrying",
      last_status_code: 503,
      next_attempt_at: new Date(NOW.getTime() + 5_000),
      lease_until: null,
    });
    for (const d of b) expect(rows.get(d.id)?.status).toBe("delivered");
    // "a": a success, then one delivery that gave up (a retry does not count yet).
    expect(await webhookHealth(hooks.a)).toEqual({
      failure_count: 1,
      enabled: true,
      last_status_code: 503,
    });
    expect(await webhookHealth(hooks.b)).toEqual({
      failure_count: 0,
      enabled: true,
      last_status_code: 200,
    });
    const { rows: history } = await app.ctx.db.query<{ status: string; n: number }>(
      "select status, count(*)::int as n from alert_history where user_id = $1 group by status",
      [user.id],
    );
    expect(history).toEqual(expect.arrayContaining([{ status: "pending", n: 1 }]));
  });

  it("disables a webhook once when a batch holds more failed deliveries than allowed in a row", async () => {
    const { hooks, a } = await claimedDeliveries(3);
    const outcomes = await recordOutcomes(
      engine.deps,
      a.map((claimed) => ({ claimed, result: refused })),
    );
    expect(outcomes).toEqual(["failed", "failed", "failed"]);
    const { rows } = await app.ctx.db.query<{
      failure_count: number;
      enabled: boolean;
      disabled_reason: string;
    }>("select failure_count, enabled, disabled_reason from user_webhooks where id = $1", [
      hooks.a,
    ]);
    // Disabled at the second failure in a row (the limit), and not again at the third.
    expect(rows[0]).toMatchObject({ enabled: false, failure_count: 3 });
    expect(rows[0]?.disabled_reason).toMatch(/^2 deliveries in a row failed \(last: HTTP 400\)$/);
    expect(await webhookHealth(hooks.b)).toMatchObject({ enabled: true, failure_count: 0 });
  });

  it("keeps out the late outcome of an attempt whose delivery was taken over", async () => {
    const { user, a } = await claimedDeliveries(1);
    const first = at(a, 0);
    // The lease ran out and another attempt claimed the delivery.
    const later = new Date(NOW.getTime() + 31_000);
    const takenOver = (
      await app.ctx.db.transaction((tx) =>
        claimDueDeliveries(tx, {
          now: later,
          leaseUntil: new Date(later.getTime() + 30_000),
          limit: 100,
        }),
      )
    ).find((d) => d.id === first.id);
    expect(takenOver?.attempts).toBe(2);

    expect(await recordOutcomes(engine.deps, [{ claimed: first, result: refused }])).toEqual([
      "stale",
    ]);
    expect((await deliveryRows(user)).get(first.id)?.status).toBe("sending");
    expect(
      await recordOutcomes(engine.deps, [{ claimed: takenOver as ClaimedDelivery, result: ok }]),
    ).toEqual(["delivered"]);
  });

  it("retries a recording the database refused, and commits the outcomes once it accepts", async () => {
    const { user, a, b } = await claimedDeliveries(2);
    // The database refuses the first two recordings (a sequence is not rolled back with them).
    await app.ctx.db.exec(`
      create sequence recording_refusals;
      create function refuse_recording() returns trigger language plpgsql as $$
      begin
        if nextval('recording_refusals') <= 2 then
          raise exception 'the database is restarting';
        end if;
        return null;
      end $$;
      create trigger refuse_recording before update on alert_deliveries
        for each statement execute function refuse_recording();`);
    try {
      const recorder = new OutcomeRecorder(engine.deps, 200, [10, 10, 10]);
      const outcomes = await Promise.all(
        [...a, ...b].map((claimed) => recorder.record({ claimed, result: ok })),
      );
      expect(outcomes).toEqual(["delivered", "delivered", "delivered", "delivered"]);
      const { rows } = await app.ctx.db.query<{ n: string }>(
        "select last_value as n from recording_refusals",
      );
      expect(Number(rows[0]?.n)).toBeGreaterThanOrEqual(3);
      for (const row of (await deliveryRows(user)).values()) expect(row.status).toBe("delivered");
    } finally {
      await app.ctx.db.exec(
        "drop trigger refuse_recording on alert_deliveries; drop function refuse_recording(); drop sequence recording_refusals;",
      );
    }
  });
  it("hands back a delivery that waited too long for its destination's slot, instead of sending it late in its lease", async () => {
    let answerFirst: (() => void) | undefined;
    const first = new Promise<void>((resolve) => {
      answerFirst = resolve;
    });
    const receiver = await startReceiver(async (_req, n) => {
      if (n === 0) await first;
      return { status: 200 };
    });
    try {
      const { user } = await userWithWebhook(
        app,
        `${receiver.url}/hook`,
        { name: "slow" },
        { ungrouped: true, emailOff: true },
      );
      for (let i = 0; i < 2; i++) await postJobStarted(user.id);
      await processInbox(engine.deps);
      // One send at a time to the destination: the second delivery waits in memory.
      const batch = await startDeliveryBatch(engine.deps, {
        limit: 100,
        limiter: new DestinationLimiter(1),
      });
      expect(batch.sending).toBe(2);
      await receiver.waitFor(1);
      // The first send takes most of the lease's spare time before it is answered.
      app.setNow(new Date(NOW.getTime() + 5_000));
      answerFirst?.();
      expect((await batch.done).sort()).toEqual(["delivered", "stale"]);
      expect(receiver.requests).toHaveLength(1);
      const after = [...(await deliveryRows(user)).values()];
      // Handed back before any attempt of its own: pending again.
      expect(after.map((d) => d.status).sort()).toEqual(["delivered", "pending"]);
      const handedBack = after.find((d) => d.status === "pending");
      // Offered again a moment later, its attempt not counted.
      expect(handedBack?.next_attempt_at?.getTime()).toBe(NOW.getTime() + 5_000 + 1_000);
      expect(handedBack?.lease_until).toBeNull();
    } finally {
      answerFirst?.();
      await receiver.close();
    }
  });
});
