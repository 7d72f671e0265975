import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app";
import { startReceiver } from "../helpers/receiver";
import { waitUntil } from "../helpers/wait";
import { killAllWorkers, spawnWorker } from "../helpers/worker-process";
import {
  expectNextWorkerSendsTheRest,
  expectNothingCutOff,
  postJobStarted,
  startProcessApp,
  userWithWebhook,
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

    await expectNothingCutOff(app, receiver, EVENTS);

    await expectNextWorkerSendsTheRest(app, receiver, databaseUrl, env, EVENTS);
    await receiver.close();
  });
});
