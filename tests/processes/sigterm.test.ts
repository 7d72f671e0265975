import { setTimeout as delay } from "node:timers/promises";
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

// More events than one worker sends at once to one webhook (4 in flight, 8
// waiting for a slot; the rest are handed back), so that
// some are still queued when it stops.
const EVENTS = 40;
const GRACE_MS = 15_000;

describe("a standalone worker stopped with SIGTERM", () => {
  it("finishes its in-flight deliveries, exits 0, and leaves the rest to the next worker: each delivered exactly once", async () => {
    // A slow receiver: every delivery is in flight for about a second.
    const receiver = await startReceiver(async () => {
      await delay(1000);
      return { status: 200 };
    });
    const { user } = await userWithWebhook(app, `${receiver.url}/hook`);
    const env = { ALERTS_WORKER_GRACE_MS: String(GRACE_MS) };
    const first = await spawnWorker(databaseUrl, env);
    for (let i = 0; i < EVENTS; i++) await postJobStarted(user.id);

    await receiver.waitFor(1);
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    void first.signal("SIGTERM").then((e) => {
      exit = e;
    });
    await waitUntil("the worker to exit after SIGTERM", () => exit, {
      timeoutMs: GRACE_MS + 10_000,
    });
    expect(exit).toEqual({ code: 0, signal: null });

    // Nothing was cut off: every request the receiver got was answered and
    // recorded as delivered, and no delivery is left holding a lease.
    const afterStop = await deliveries(app);
    const delivered = new Set(afterStop.filter((d) => d.status === "delivered").map((d) => d.id));
    expect(afterStop.filter((d) => d.status === "sending")).toEqual([]);
    expect(receiver.requests.length).toBeGreaterThan(0);
    for (const r of receiver.requests) {
      expect(r.status).toBe(200);
      expect(delivered.has(String(r.headers["webhook-id"]).replace(/^msg_/, ""))).toBe(true);
    }
    const firstShare = receiver.requests.length;
    expect(firstShare).toBeLessThan(EVENTS);

    const second = await spawnWorker(databaseUrl, env);
    await receiver.waitFor(EVENTS);
    await waitUntil("the second worker to settle", () => settled(app));

    const rows = await deliveries(app);
    expect(rows).toHaveLength(EVENTS);
    expect(rows.filter((d) => d.status !== "delivered" || d.attempts !== 1)).toEqual([]);
    expect(receiver.requests).toHaveLength(EVENTS);
    const perId = byWebhookId(receiver.requests);
    for (const d of rows) expect(perId.get(webhookIdOf(d.id))).toEqual({ requests: 1, ok: 1 });

    expect(await second.signal("SIGTERM")).toEqual({ code: 0, signal: null });
    await receiver.close();
  });
});
