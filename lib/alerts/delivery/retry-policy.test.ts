import { describe, expect, it } from "vitest";
import type { ChannelResult } from "../channels/channel.types";
import { MAX_RETRY_AFTER_MS, nextStep, OPERATOR_RETRY_MS } from "./retry-policy";

const NOW = new Date("2026-03-02T12:00:00Z");
const SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000];
const later = (ms: number) => new Date(NOW.getTime() + ms);
const base = { statusCode: 503, error: "HTTP 503", durationMs: 3 };
const busy: ChannelResult = { verdict: "retry", ...base };

describe("the retry policy", () => {
  it("ends a skipped attempt (nothing applicable was sent) skipped, touching nothing else", () => {
    const skipped: ChannelResult = {
      verdict: "skipped",
      statusCode: null,
      error: "PagerDuty takes no job_started alerts; nothing was sent",
      durationMs: 0,
    };
    expect(nextStep(skipped, 1, SCHEDULE, NOW)).toEqual({
      status: "skipped",
      nextAttemptAt: null,
      revoked: false,
      holdUntil: null,
      countsAsFailure: false,
    });
  });

  it("waits the schedule's seconds after each failed attempt, then gives up after the last", () => {
    const waits = SCHEDULE.map((_, k) => nextStep(busy, k + 1, SCHEDULE, NOW).nextAttemptAt);
    expect(waits).toEqual(SCHEDULE.map((s) => later(s * 1000)));
    expect(nextStep(busy, SCHEDULE.length + 1, SCHEDULE, NOW)).toMatchObject({
      status: "failed",
      nextAttemptAt: null,
      countsAsFailure: true,
    });
    // A retry that is not the last does not count against the webhook yet.
    expect(nextStep(busy, 1, SCHEDULE, NOW)).toMatchObject({
      status: "retrying",
      countsAsFailure: false,
    });
  });

  it("honours a Retry-After longer than the schedule's wait, never a shorter one, and at most a day", () => {
    const wait = (afterMs: number, attempts = 1) =>
      nextStep({ ...busy, afterMs }, attempts, SCHEDULE, NOW).nextAttemptAt;
    expect(wait(30_000)).toEqual(later(30_000));
    expect(wait(1_000)).toEqual(later(5_000));
    expect(wait(3 * 86_400_000)).toEqual(later(MAX_RETRY_AFTER_MS));
  });

  it("holds the destination after a 429 that names a wait, and not after a 503 that does", () => {
    const limited: ChannelResult = { verdict: "retry", afterMs: 30_500, ...base, statusCode: 429 };
    expect(nextStep(limited, 1, SCHEDULE, NOW).holdUntil).toEqual(later(30_500));
    expect(nextStep({ ...busy, afterMs: 30_500 }, 1, SCHEDULE, NOW).holdUntil).toBeNull();
    expect(nextStep({ ...limited, afterMs: undefined }, 1, SCHEDULE, NOW).holdUntil).toBeNull();
  });

  it("revokes on a 410 (or a platform's 'no longer exists') at the first attempt", () => {
    const gone: ChannelResult = { verdict: "revoked", ...base, statusCode: 410, error: "HTTP 410" };
    expect(nextStep(gone, 1, SCHEDULE, NOW)).toEqual({
      status: "failed",
      nextAttemptAt: null,
      revoked: true,
      holdUntil: null,
      countsAsFailure: true,
    });
  });

  it("fails a 3xx (and other permanent answers) at once, without retrying", () => {
    const moved: ChannelResult = { verdict: "failed", ...base, statusCode: 301 };
    expect(nextStep(moved, 1, SCHEDULE, NOW)).toMatchObject({
      status: "failed",
      revoked: false,
      countsAsFailure: true,
    });
  });

  it("keeps retrying an operator error (an undecryptable webhook) and never counts it against the webhook", () => {
    const locked: ChannelResult = {
      verdict: "retry",
      operatorError: true,
      statusCode: null,
      error: "operator error: cannot decrypt",
      durationMs: 0,
    };
    expect(nextStep(locked, 50, SCHEDULE, NOW)).toEqual({
      status: "retrying",
      nextAttemptAt: later(OPERATOR_RETRY_MS),
      revoked: false,
      holdUntil: null,
      countsAsFailure: false,
    });
  });

  it("retries at once when the receiver names a new address", () => {
    const moved: ChannelResult = {
      verdict: "retry",
      updateDestination: { address: "https://example.com/new" },
      ...base,
      statusCode: 400,
    };
    expect(nextStep(moved, 1, SCHEDULE, NOW)).toMatchObject({
      status: "retrying",
      nextAttemptAt: NOW,
    });
    // A server that keeps naming new addresses stops at the attempt cap, like any retry.
    expect(nextStep(moved, SCHEDULE.length + 1, SCHEDULE, NOW)).toMatchObject({
      status: "failed",
      nextAttemptAt: null,
      countsAsFailure: true,
    });
  });

  it("records a delivery as delivered", () => {
    const ok: ChannelResult = { verdict: "delivered", statusCode: 200, error: null, durationMs: 1 };
    expect(nextStep(ok, 3, SCHEDULE, NOW)).toMatchObject({
      status: "delivered",
      nextAttemptAt: null,
    });
  });
});
