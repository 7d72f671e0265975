import { describe, expect, it } from "vitest";
import { workerTestApp } from "./helpers/engine-app";
import { deliveredCount, postJobStarted, userWithWebhook } from "./helpers/fixtures";
import { startReceiver } from "./helpers/receiver";
import { waitOn, workerIdle } from "./helpers/wait";

// Half a batch is 2 sends here: the loop waits for that much room while sends
// keep finishing, and claims less only once none has finished for a moment.
const t = workerTestApp({
  pollMs: 100,
  maxInFlight: 4,
  perDestination: 2,
  // The held requests are answered when the test says so, not at an attempt's 10 s limit.
  deliveryOverrides: { webhookOptions: { timeoutMs: 120_000 } },
});

const userWithHook = async (url: string) =>
  (await userWithWebhook(t.app, url, {}, { ungrouped: true, emailOff: true })).user;
const delivered = (userId: string) => deliveredCount(t.app.ctx.db, userId);

describe("the delivery loop's room for new sends", () => {
  it("claims the one slot left while three sends hang, rather than wait for half a batch", async () => {
    // A's and C's receivers hold every request until the test opens the gate; B's answers at once.
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const receiver = await startReceiver(async (req) => {
      if (!req.url.startsWith("/b")) await gate;
      return { status: 200 };
    });
    const to = (path: string) => () => receiver.requests.filter((r) => r.url.startsWith(path));
    const [fromA, fromB, fromC] = [to("/a"), to("/b"), to("/c")];
    const requests = [[receiver.events, "request"]] as const;
    try {
      const a = await userWithHook(`${receiver.url}/a`);
      const b = await userWithHook(`${receiver.url}/b`);
      const c = await userWithHook(`${receiver.url}/c`);
      for (let i = 0; i < 2; i++) await postJobStarted(a.id);
      await waitOn("A's two sends to be held", requests, () => fromA().length === 2);
      await postJobStarted(c.id);
      await waitOn("C's send to be held", requests, () => fromC().length === 1);

      // Three of the four sends hang: room for one, less than half a batch.
      await postJobStarted(b.id);
      await waitOn(
        "B's alert to be answered and recorded while the others hang",
        [...requests, [t.worker.events, "delivery:recorded"]],
        async () => fromB().length === 1 && (await delivered(b.id)) === 1,
      );
      expect(fromB()[0]?.status).toBe(200);
      expect([...fromA(), ...fromC()].every((r) => r.status === undefined)).toBe(true);

      openGate();
      await waitOn(
        "A's and C's alerts to be delivered once answered",
        [[t.worker.events, "delivery:recorded"]],
        async () => (await delivered(a.id)) === 2 && (await delivered(c.id)) === 1,
      );
      await workerIdle(t.worker.events, t.app.ctx.db);
      expect(fromA()).toHaveLength(2);
      expect(fromC()).toHaveLength(1);
    } finally {
      openGate();
      await receiver.close();
    }
  }, 90_000);
});
