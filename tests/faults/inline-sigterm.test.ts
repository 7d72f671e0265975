import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app";
import { type NextServer, startNextServer } from "../helpers/next-server";
import { startReceiver } from "../helpers/receiver";
import { deploymentEnv, killAllWorkers } from "../helpers/worker-process";
import {
  expectNextWorkerSendsTheRest,
  expectNothingCutOff,
  postJobStarted,
  startProcessApp,
  userWithWebhook,
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
    const grace = { ALERTS_WORKER_GRACE_MS: String(GRACE_MS) };
    web = await startNextServer(deploymentEnv(databaseUrl, { ...grace, ALERTS_WORKER: "inline" }));
    for (let i = 0; i < EVENTS; i++) await postJobStarted(user.id);

    await receiver.waitFor(1);
    const exit = await web.signal("SIGTERM");
    // Next's own exit code for SIGTERM, once the worker has stopped.
    expect(exit, web.output()).toEqual({ code: 143, signal: null });

    await expectNothingCutOff(app, receiver, EVENTS);

    await expectNextWorkerSendsTheRest(app, receiver, databaseUrl, grace, EVENTS);
    await receiver.close();
  });
});
