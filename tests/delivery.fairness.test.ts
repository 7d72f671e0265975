import { describe, expect, it } from "vitest";
import { workerTestApp } from "./helpers/engine-app";
import { deliveredCount, postJobStarted, userWithWebhook } from "./helpers/fixtures";
import { startReceiver } from "./helpers/receiver";
import { waitOn, workerIdle } from "./helpers/wait";

const PER_DESTINATION = 2;

const t = workerTestApp({
  pollMs: 100,
  perDestination: PER_DESTINATION,
  // The slow receiver answers when the test says so, not at an attempt's
  // 10 s limit: on a loaded machine the test may take longer than that.
  deliveryOverrides: { webhookOptions: { timeoutMs: 120_000 } },
});

const userWithHook = async (url: string) =>
  (await userWithWebhook(t.app, url, {}, { ungrouped: true })).user;

const delivered = (userId: string) => deliveredCount(t.app.ctx.db, userId);

/**
 * Moves the test clock to the time the user's earliest handed-back delivery
 * is due (a destination at its cap hands deliveries back for a moment), and
 * never further: every send in flight holds a lease of that clock, and a
 * bigger jump would run it out — the sweep would take the send for lost and
 * send it again.
 */
async function releaseHandedBack(userId: string) {
  const { rows } = await t.app.ctx.db.query<{ at: Date | null }>(
    `select min(next_attempt_at) as at from alert_deliveries
     where user_id = $1 and status in ('pending', 'retrying') and next_attempt_at > $2`,
    [userId, t.app.ctx.clock()],
  );
  const at = rows[0]?.at;
  if (at) t.app.setNow(new Date(at));
}

/**
 * What moves a user's deliveries on: the worker's claims (one handed back
 * shows as postponed), its recorded outcomes, and its inbox passes (one each
 * poll, the fallback that claims a delivery the moved clock made due).
 */
const workerSignals = () =>
  [
    [t.worker.events, "delivery:claimed"],
    [t.worker.events, "delivery:recorded"],
    [t.worker.events, "inbox:processed"],
  ] as const;

describe("per-destination fairness", () => {
  it("a webhook slow to answer does not hold up another user's alerts", async () => {
    // User A's receiver holds every request until the test opens the gate;
    // user B's answers at once.
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let aInFlight = 0;
    let aMaxInFlight = 0;
    const receiver = await startReceiver(async (req) => {
      if (!req.url.startsWith("/a")) return { status: 200 };
      aInFlight++;
      aMaxInFlight = Math.max(aMaxInFlight, aInFlight);
      await gate;
      aInFlight--;
      return { status: 200 };
    });
    try {
      const a = await userWithHook(`${receiver.url}/a`);
      const b = await userWithHook(`${receiver.url}/b`);
      const fromA = () => receiver.requests.filter((r) => r.url.startsWith("/a"));
      const fromB = () => receiver.requests.filter((r) => r.url.startsWith("/b"));

      for (let i = 0; i < 6; i++) await postJobStarted(a.id);
      await waitOn(
        "A's receiver to hold its share of sends",
        [[receiver.events, "request"]],
        () => fromA().length >= PER_DESTINATION,
      );
      for (let i = 0; i < 3; i++) await postJobStarted(b.id);
      // B is capped too: its third delivery may be handed back for a moment,
      // so the test clock moves on to it while waiting.
      // Answered is not yet recorded: wait for the rows too. Checked as the
      // worker claims (a delivery handed back) and records.
      await waitOn("B's alerts to be answered and recorded", workerSignals(), async () => {
        await releaseHandedBack(b.id);
        return (
          fromB().length === 3 &&
          fromB().every((r) => r.status === 200) &&
          (await delivered(b.id)) === 3
        );
      });

      // B's alerts went through while every one of A's was still unanswered,
      // and A never had more than its cap of sends in flight.
      expect(fromA().every((r) => r.status === undefined && !r.unanswered)).toBe(true);
      expect(fromA().length).toBe(PER_DESTINATION);
      expect(await delivered(a.id)).toBe(0);
      expect(await delivered(b.id)).toBe(3);

      // Once A's receiver answers, the deliveries held back come round again
      // (after their short wait: the test clock moves on) and nothing is lost.
      openGate();
      await waitOn("all of A's alerts to be delivered", workerSignals(), async () => {
        await releaseHandedBack(a.id);
        return (await delivered(a.id)) === 6;
      });
      // Nothing more in hand that could reach A's receiver again.
      await workerIdle(t.worker.events, t.app.ctx.db);
      const ids = fromA().map((r) => String(r.headers["webhook-id"]));
      expect(new Set(ids).size).toBe(6);
      expect(ids).toHaveLength(6);
      expect(aMaxInFlight).toBeLessThanOrEqual(PER_DESTINATION);
    } finally {
      openGate();
      await receiver.close();
    }
  }, 90_000);
});
