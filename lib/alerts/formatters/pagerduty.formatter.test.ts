import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ALL_TYPES,
  APP_URL,
  cardOf,
  FINAL_EXCEPTION,
  hostileData,
  hostileName,
  hugeTraceback,
  isWellFormed,
  JOB_ID,
} from "@/tests/helpers/alert-cards";
import {
  formatPagerDuty,
  PAGERDUTY_LIMITS,
  PAGERDUTY_RESOLVES,
  PAGERDUTY_TRIGGERS,
  type PagerDutyEvent,
  pagerDutyDedupKey,
} from "./pagerduty.formatter";

const L = PAGERDUTY_LIMITS;

function expectWithinLimits(e: PagerDutyEvent) {
  expect(e.dedup_key.length).toBeGreaterThan(0);
  expect(e.dedup_key.length).toBeLessThanOrEqual(L.dedupKey);
  // The routing key is added by the channel, never by the formatter.
  expect(e).not.toHaveProperty("routing_key");
  if (e.event_action === "resolve") return;
  expect(e.payload.summary.length).toBeGreaterThan(0);
  expect(e.payload.summary.length).toBeLessThanOrEqual(L.summary);
  expect(e.payload.source.length).toBeGreaterThan(0);
  expect(e.payload.source.length).toBeLessThanOrEqual(L.source);
  expect(["critical", "error", "warning", "info"]).toContain(e.payload.severity);
  expect(isWellFormed(e.payload.summary)).toBe(true);
  for (const v of Object.values(e.payload.custom_details))
    expect(v.length).toBeLessThanOrEqual(L.errorTail);
  expect(e.links[0]?.href.startsWith(APP_URL)).toBe(true);
  // Far below the Events API's 512 KB per event.
  expect(JSON.stringify(e).length).toBeLessThan(64 * 1024);
}

describe("PagerDuty formatter", () => {
  it.each(["job_failed", "gpu_oom", "timeout_warning", "disk_warning"])(
    "triggers an incident for %s",
    (type) => {
      const e = formatPagerDuty(cardOf(type));
      expect(e?.event_action).toBe("trigger");
      if (e) expectWithinLimits(e);
    },
  );

  it("resolves the job's incident with the same dedup_key when the job later completes", () => {
    const failed = formatPagerDuty(cardOf("job_failed"));
    const completed = formatPagerDuty(cardOf("job_completed"));
    expect(failed?.dedup_key).toBe(`job:${JOB_ID}`);
    expect(completed).toEqual({ event_action: "resolve", dedup_key: `job:${JOB_ID}` });
    expect(formatPagerDuty(cardOf("timeout_warning"))?.dedup_key).toBe(`job:${JOB_ID}`);
  });

  it("sends nothing for the types that neither page nor resolve", () => {
    for (const type of ALL_TYPES) {
      const e = formatPagerDuty(cardOf(type));
      const expected = PAGERDUTY_RESOLVES.has(type)
        ? "resolve"
        : type in PAGERDUTY_TRIGGERS
          ? "trigger"
          : undefined;
      expect(e?.event_action).toBe(expected);
    }
    expect(formatPagerDuty(cardOf("job_started"))).toBeUndefined();
    expect(formatPagerDuty(cardOf("daily_summary"))).toBeUndefined();
  });

  it("keys a disk warning without a job by its path, hashed when the path is too long", () => {
    const short = cardOf(
      "disk_warning",
      { disk_path: "/data", disk_used_percent: 93 },
      { jobId: null },
    );
    expect(pagerDutyDedupKey(short)).toBe("disk:/data");
    const long = cardOf(
      "disk_warning",
      { disk_path: `/${"d".repeat(400)}`, disk_used_percent: 93 },
      { jobId: null },
    );
    expect(pagerDutyDedupKey(long)).toMatch(/^disk:fnv1a64:[0-9a-f]{16}$/);
    expect(pagerDutyDedupKey(long)).toBe(pagerDutyDedupKey({ ...long }));
  });

  it("rates severity by type: failures error, stalls and disks warning, a full disk critical", () => {
    const severity = (type: string, data?: Record<string, unknown>) => {
      const e = formatPagerDuty(cardOf(type, data));
      return e?.event_action === "trigger" ? e.payload.severity : undefined;
    };
    expect(severity("job_failed")).toBe("error");
    expect(severity("gpu_oom")).toBe("error");
    expect(severity("timeout_warning")).toBe("warning");
    expect(severity("disk_warning", { disk_path: "/d", disk_used_percent: 91 })).toBe("warning");
    expect(severity("disk_warning", { disk_path: "/d", disk_used_percent: 99 })).toBe("critical");
  });

  it("carries the facts and the traceback's tail in custom_details and a View Details link", () => {
    const e = formatPagerDuty(cardOf("job_failed", { model_name: "m", error: hugeTraceback() }));
    if (e?.event_action !== "trigger") throw new Error("expected a trigger");
    expect(e.payload.custom_details.Model).toBe("m");
    expect(e.payload.custom_details.error).toContain(FINAL_EXCEPTION);
    expect(e.links).toEqual([
      { href: `${APP_URL}/training/monitor?jobId=${JOB_ID}`, text: "View Details" },
    ]);
    expect(e.payload.timestamp).toBe("2026-03-02T12:00:00.000Z");
    expectWithinLimits(e);
  });

  it("keeps every limit with hostile inputs (300-char names, 50 KB tracebacks, emoji, RTL, a 500-char job id)", () => {
    for (const type of ALL_TYPES) {
      const e = formatPagerDuty(cardOf(type, hostileData(), { jobId: hostileName(500) }));
      if (e) {
        expectWithinLimits(e);
        expect(JSON.stringify(e)).not.toContain("extra_");
      }
    }
  });

  it("keeps every limit for arbitrary text", () => {
    const anyText = fc.oneof(
      fc.string({ unit: "binary", maxLength: 6000 }),
      fc.string({ unit: "grapheme", maxLength: 3000 }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom("job_failed", "gpu_oom", "timeout_warning", "disk_warning"),
        anyText,
        anyText,
        (type, name, error) => {
          const e = formatPagerDuty(
            cardOf(type, { model_name: name, error, log_excerpt: error, disk_path: name }),
          );
          if (e) expectWithinLimits(e);
        },
      ),
      { numRuns: 150 },
    );
  });
});
