import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app";
import { startReceiver } from "../helpers/receiver";
import { waitUntil } from "../helpers/wait";
import { killAllWorkers, spawnWorker } from "../helpers/worker-process";
import {
  byWebhookId,
  deliveries,
  postJobStarted,
  settled,
  startProcessApp,
  userWithWebhook,
  webhookIdOf,
} from "./support";

let app: TestApp;
let databaseUrl: string;
beforeAll(async () => {
  ({ app, databaseUrl } = await startProcessApp());
});
afterAll(async () => {
  await killAllWorkers();
  await app?.close();
});

/** The one delivery of a user who has one webhook and one alert. */
async function deliveryOf(userId: string) {
  const { rows } = await app.ctx.db.query<{ id: string; status: string; attempts: number }>(
    "select id, status, attempts from alert_deliveries where user_id = $1",
    [userId],
  );
  expect(rows.length).toBeLessThanOrEqual(1);
  return rows[0];
}

describe("a standalone worker killed with SIGKILL", () => {
  it("between retries: a new worker makes the remaining attempts and the receiver gets exactly one successful delivery", async () => {
    const receiver = await startReceiver((_req, n) => ({ status: n < 2 ? 500 : 200 }));
    const { user, secret } = await userWithWebhook(app, `${receiver.url}/hook`);
    // The first retry waits long enough for the test to kill the worker inside that wait.
    const env = { ALERTS_WEBHOOK_RETRY_SCHEDULE: "3,1,1" };
    const first = await spawnWorker(databaseUrl, env);

    await postJobStarted(user.id);
    await receiver.waitFor(1);
    const failed = await waitUntil("the failed first attempt to be recorded", async () => {
      const d = await deliveryOf(user.id);
      return d?.status === "retrying" && d;
    });
    expect(failed.attempts).toBe(1);
    expect(await first.signal("SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });
    expect(receiver.requests).toHaveLength(1);

    const second = await spawnWorker(databaseUrl, env);
    await waitUntil("the delivery to be delivered", async () => {
      const d = await deliveryOf(user.id);
      return d?.status === "delivered";
    });
    await waitUntil("the workers to settle", () => settled(app));

    expect(receiver.requests.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(byWebhookId(receiver.requests)).toEqual(
      new Map([[webhookIdOf(failed.id), { requests: 3, ok: 1 }]]),
    );
    // Each attempt is signed with the secret the test process wrote, decrypted by the workers.
    for (const r of receiver.requests) {
      expect(() =>
        new Webhook(secret).verify(r.body, r.headers as Record<string, string>),
      ).not.toThrow();
    }
    expect(await deliveryOf(user.id)).toMatchObject({ status: "delivered", attempts: 3 });

    expect(await second.signal("SIGTERM")).toEqual({ code: 0, signal: null });
    await receiver.close();
  });

  it("while a request is in flight: after the lease runs out a new worker sends it again, and it succeeds exactly once", async () => {
    let killed = () => {};
    const afterKill = new Promise<void>((resolve) => {
      killed = resolve;
    });
    // The first request is held until its worker is dead, then its connection is closed unanswered.
    const receiver = await startReceiver(async (_req, n) => {
      if (n > 0) return { status: 200 };
      await afterKill;
      return "drop";
    });
    const { user } = await userWithWebhook(app, `${receiver.url}/hook`);
    const first = await spawnWorker(databaseUrl);

    await postJobStarted(user.id);
    await receiver.waitFor(1);
    const inFlight = await deliveryOf(user.id);
    expect(inFlight).toMatchObject({ status: "sending", attempts: 1 });
    expect(await first.signal("SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });
    killed();

    // Nothing tells a new worker that the old one died: the delivery's lease
    // (30 s) and the pg-boss job's expiry (60 s, checked by maintenance every
    // 2 min) or the release sweep (2 min after the lease) bring it back.
    const second = await spawnWorker(databaseUrl);
    await waitUntil(
      "the lost delivery to be sent again and delivered",
      async () => (await deliveryOf(user.id))?.status === "delivered",
      { timeoutMs: 240_000, intervalMs: 500 },
    );
    await waitUntil("the workers to settle", () => settled(app));

    expect(receiver.requests.map((r) => r.status)).toEqual([undefined, 200]);
    expect(byWebhookId(receiver.requests)).toEqual(
      new Map([[webhookIdOf(inFlight?.id ?? ""), { requests: 2, ok: 1 }]]),
    );
    expect((await deliveries(app)).filter((d) => d.status !== "delivered")).toEqual([]);

    expect(await second.signal("SIGTERM")).toEqual({ code: 0, signal: null });
    await receiver.close();
  });
});
