import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENCRYPTION_KEY, JWT_SECRET, SERVICE_KEY, type TestApp } from "../helpers/app";
import { type NextServer, startNextServer } from "../helpers/next-server";
import { startReceiver } from "../helpers/receiver";
import { waitUntil } from "../helpers/wait";
import { killAllWorkers, sharedEnv, spawnWorker } from "../helpers/worker-process";
import {
  byWebhookId,
  deliveries,
  postJobStarted,
  settled,
  startProcessApp,
  userWithWebhook,
  webhookIdOf,
} from "../processes/support";

// More events than the inline worker sends at once to one webhook, so that
// some are still queued when the server stops.
const EVENTS = 20;
const GRACE_MS = 15_000;

let app: TestApp;
let databaseUrl: string;
let web: NextServer | undefined;
beforeAll(async () => {
  ({ app, databaseUrl } = await startProcessApp());
});
afterAll(async () => {
  await killAllWorkers();
  await web?.stop();
  await app?.close();
});

describe("next start with the inline worker, stopped with SIGTERM", () => {
  it("finishes the worker's in-flight deliveries before it exits, and the next worker sends the rest: each delivered exactly once", async () => {
    // A slow receiver: every delivery is in flight for about a second.
    const receiver = await startReceiver(async () => {
      await delay(1000);
      return { status: 200 };
    });
    const { user } = await userWithWebhook(app, `${receiver.url}/hook`);
    const env = {
      ...sharedEnv(),
      DATABASE_URL: databaseUrl,
      SUPABASE_JWT_SECRET: JWT_SECRET,
      ALERTS_SERVICE_KEY: SERVICE_KEY,
      ALERTS_ENCRYPTION_KEY: ENCRYPTION_KEY,
      ALERTS_WORKER_GRACE_MS: String(GRACE_MS),
    };
    web = await startNextServer({ ...env, ALERTS_WORKER: "inline" });
    for (let i = 0; i < EVENTS; i++) await postJobStarted(user.id);

    await receiver.waitFor(1);
    const exit = await web.signal("SIGTERM");
    // Next's own exit code for SIGTERM, once the worker has stopped.
    expect(exit, web.output()).toEqual({ code: 143, signal: null });

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
    expect(receiver.requests.length).toBeLessThan(EVENTS);

    const worker = await spawnWorker(databaseUrl, { ALERTS_WORKER_GRACE_MS: String(GRACE_MS) });
    await receiver.waitFor(EVENTS);
    await waitUntil("the standalone worker to settle", () => settled(app));

    const rows = await deliveries(app);
    expect(rows).toHaveLength(EVENTS);
    expect(rows.filter((d) => d.status !== "delivered" || d.attempts !== 1)).toEqual([]);
    expect(receiver.requests).toHaveLength(EVENTS);
    const perId = byWebhookId(receiver.requests);
    for (const d of rows) expect(perId.get(webhookIdOf(d.id))).toEqual({ requests: 1, ok: 1 });

    expect(await worker.signal("SIGTERM")).toEqual({ code: 0, signal: null });
    await receiver.close();
  });
});
