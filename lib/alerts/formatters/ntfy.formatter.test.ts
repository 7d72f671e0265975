import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ALL_TYPES,
  APP_URL,
  cardOf,
  EMOJI,
  FINAL_EXCEPTION,
  hostileData,
  hugeTraceback,
  INJECTION,
  isWellFormed,
  JOB_ID,
} from "@/tests/helpers/alert-cards";
import { utf8Length } from "./fit";
import { formatNtfy, NTFY_LIMITS, type NtfyPayload } from "./ntfy.formatter";

function expectWithinLimits(p: NtfyPayload) {
  expect(p.message.length).toBeGreaterThan(0);
  expect(utf8Length(p.message)).toBeLessThanOrEqual(NTFY_LIMITS.messageBytes);
  expect(p.title.length).toBeGreaterThan(0);
  expect(p.title.length).toBeLessThanOrEqual(NTFY_LIMITS.title);
  expect(isWellFormed(p.message)).toBe(true);
  expect(isWellFormed(p.title)).toBe(true);
  expect([3, 4]).toContain(p.priority);
  expect(p.tags).toHaveLength(1);
  expect(p.click.startsWith(APP_URL)).toBe(true);
  expect(p.actions).toEqual([
    { action: "view", label: expect.any(String), url: p.click, clear: true },
  ]);
  // No markdown flag: ntfy shows the text as typed.
  expect(p).not.toHaveProperty("markdown");
}

describe("ntfy formatter", () => {
  it.each(ALL_TYPES)(
    "renders %s with a title, a message, a priority, an emoji tag and a click target",
    (type) => {
      expectWithinLimits(formatNtfy(cardOf(type)));
    },
  );

  it("makes failures and OOM high priority and completions default", () => {
    expect(formatNtfy(cardOf("job_failed")).priority).toBe(4);
    expect(formatNtfy(cardOf("gpu_oom")).priority).toBe(4);
    expect(formatNtfy(cardOf("job_completed")).priority).toBe(3);
    expect(formatNtfy(cardOf("job_started")).priority).toBe(3);
  });

  it("moves the headline's emoji into a tag and keeps the facts as plain lines", () => {
    const p = formatNtfy(cardOf("job_completed"));
    expect(p.tags).toEqual(["white_check_mark"]);
    expect(p.title).not.toMatch(/^✅/);
    expect(p.message).toContain("Model: mistral-7b-custom");
    expect(p.message).toContain(`Job ID: ${JOB_ID}`);
    expect(p.click).toBe(`${APP_URL}/training/monitor?jobId=${JOB_ID}`);
  });

  it("keeps the exception line of a 50 KB traceback within 4096 bytes", () => {
    const p = formatNtfy(cardOf("job_failed", { model_name: "m", error: hugeTraceback() }));
    expect(p.message).toContain(FINAL_EXCEPTION);
    expectWithinLimits(p);
  });

  it("keeps every limit with hostile inputs, counting multi-byte emoji and RTL in bytes", () => {
    for (const type of ALL_TYPES) {
      expectWithinLimits(formatNtfy(cardOf(type, hostileData())));
      expectWithinLimits(
        formatNtfy(
          cardOf(type, {
            model_name: EMOJI.repeat(2000),
            error: `${EMOJI.repeat(3000)}\nValueError: ${INJECTION}`,
          }),
        ),
      );
    }
  });

  it("counts UTF-8 bytes as Node does, lone surrogates as the replacement character", () => {
    for (const s of ["", "ascii", "é", "€", EMOJI, "\ud800", "a\udc00b", INJECTION])
      expect(utf8Length(s)).toBe(Buffer.byteLength(s, "utf8"));
  });

  it("keeps every limit for arbitrary text in every user field", () => {
    const anyText = fc.oneof(
      fc.string({ unit: "binary", maxLength: 6000 }),
      fc.string({ unit: "grapheme", maxLength: 3000 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...ALL_TYPES), anyText, anyText, (type, name, error) => {
        expectWithinLimits(
          formatNtfy(
            cardOf(type, {
              model_name: name,
              error,
              log_excerpt: error,
              disk_path: name,
              webhook_name: name,
              reason: error,
            }),
          ),
        );
      }),
      { numRuns: 150 },
    );
  });
});
