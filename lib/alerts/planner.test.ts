import { describe, expect, it } from "vitest";
import { NO_EMAIL_ADDRESS } from "./alert.types";
import { planAlert } from "./planner";

const NOW = new Date("2026-03-02T23:30:00Z");
const base = { email: true, address: "a@example.com", webhookIds: ["w1"], quietHours: null };

describe("planning an alert", () => {
  it("makes one pending delivery per channel, due now", () => {
    expect(planAlert(base, NOW)).toEqual({
      status: "pending",
      deferredUntil: null,
      deliveries: [
        {
          channel: "email",
          webhookId: null,
          status: "pending",
          lastError: null,
          nextAttemptAt: NOW,
        },
        {
          channel: "webhook",
          webhookId: "w1",
          status: "pending",
          lastError: null,
          nextAttemptAt: NOW,
        },
      ],
    });
  });

  it("defers every delivery to the end of the quiet hours (the seed's 22:00–08:00 when unset)", () => {
    const end = new Date("2026-03-03T08:00:00Z");
    const plan = planAlert(
      { ...base, quietHours: { start: null, end: null, timeZone: null } },
      NOW,
    );
    expect(plan.status).toBe("deferred");
    expect(plan.deferredUntil).toEqual(end);
    expect(plan.deliveries.map((d) => [d.status, d.nextAttemptAt])).toEqual([
      ["deferred", end],
      ["deferred", end],
    ]);
  });

  it("skips an email without an address and says why, and is skipped as a whole with nothing to send", () => {
    const plan = planAlert({ ...base, address: null, webhookIds: [] }, NOW);
    expect(plan).toEqual({
      status: "skipped",
      deferredUntil: null,
      deliveries: [
        {
          channel: "email",
          webhookId: null,
          status: "skipped",
          lastError: NO_EMAIL_ADDRESS,
          nextAttemptAt: null,
        },
      ],
    });
    // Quiet hours never defer an alert that has nowhere to go.
    expect(
      planAlert(
        {
          ...base,
          address: null,
          webhookIds: [],
          quietHours: { start: null, end: null, timeZone: null },
        },
        NOW,
      ).status,
    ).toBe("skipped");
  });

  it("plans no delivery when no channel wants the alert", () => {
    expect(planAlert({ ...base, email: false, webhookIds: [] }, NOW).deliveries).toEqual([]);
  });
});
