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
  RTL,
} from "@/tests/helpers/alert-cards";
import {
  formatMattermost,
  MATTERMOST_COLOURS,
  MATTERMOST_LIMITS,
  type MattermostPayload,
  mattermostLength,
} from "./mattermost.formatter";

const L = MATTERMOST_LIMITS;

function expectWithinLimits(p: MattermostPayload) {
  expect(p.attachments).toHaveLength(1);
  const a = p.attachments[0];
  expect(a.title.length).toBeGreaterThan(0);
  expect(a.title.length).toBeLessThanOrEqual(L.title);
  expect(a.fallback.length).toBeGreaterThan(0);
  expect(a.fields.length).toBeLessThanOrEqual(L.fields);
  for (const f of a.fields) {
    expect(f.value.length).toBeGreaterThan(0);
    expect(f.value.length).toBeLessThanOrEqual(L.fieldValue);
  }
  expect(mattermostLength(a)).toBeLessThanOrEqual(L.total);
  expect(a.title_link.startsWith(APP_URL)).toBe(true);
  expect(Object.values(MATTERMOST_COLOURS)).toContain(a.color);
  for (const t of [
    a.title,
    a.text,
    a.fallback,
    a.footer,
    ...a.fields.flatMap((f) => [f.title, f.value]),
  ])
    expect(isWellFormed(t)).toBe(true);
}

describe("Mattermost formatter", () => {
  it.each(ALL_TYPES)(
    "renders %s as one attachment with a title link, a colour, fields and a footer",
    (type) => {
      const p = formatMattermost(cardOf(type));
      expect(p.attachments[0].footer).toBe(`Job ID: ${JOB_ID}`);
      expectWithinLimits(p);
    },
  );

  it("uses attachments, not Block Kit, with the seed's fields for job_completed", () => {
    const p = formatMattermost(cardOf("job_completed"));
    expect(p).not.toHaveProperty("blocks");
    expect(p.attachments[0].fields.map((f) => [f.title, f.value, f.short])).toEqual([
      ["Model", "mistral-7b-custom", true],
      ["Duration", "2h 34m", true],
      ["Final Loss", "0.342", true],
      ["Steps", "5000/5000", true],
    ]);
    expect(p.attachments[0].title_link).toBe(`${APP_URL}/training/monitor?jobId=${JOB_ID}`);
  });

  it("puts the tail of a 50 KB traceback in a code block, exception line included", () => {
    const a = formatMattermost(cardOf("job_failed", { model_name: "m", error: hugeTraceback() }))
      .attachments[0];
    expect(a.text).toMatch(/```\n[\s\S]*\n```/);
    expect(a.text).toContain(FINAL_EXCEPTION);
    expect(a.color).toBe(MATTERMOST_COLOURS.failure);
  });

  it("defuses @channel, @all, @here, @user, ~channel and markdown links in user text", () => {
    const attack = `${INJECTION} @all @channel ~town-square </b><a href="http://evil.example">x</a>`;
    for (const type of ["job_failed", "job_completed", "webhook_disabled", "disk_warning"]) {
      const p = formatMattermost(
        cardOf(type, {
          model_name: attack,
          error: `${attack}\nValueError: ${attack}`,
          webhook_name: attack,
          reason: attack,
          disk_path: attack,
        }),
      );
      const body = JSON.stringify(p);
      expect(body).not.toMatch(/[@~](all|channel|here|everyone|town-square|U123)/);
      const a = p.attachments[0];
      const rendered = [
        a.text.replace(/```[\s\S]*?```/g, ""),
        a.title,
        ...a.fields.map((f) => f.value),
      ];
      for (const text of rendered) expect(text).not.toContain("[click](");
      expectWithinLimits(p);
    }
  });

  it("keeps every limit with hostile inputs (300-char names, 50 KB tracebacks, emoji, RTL)", () => {
    for (const type of ALL_TYPES) {
      const p = formatMattermost(
        cardOf(type, { ...hostileData(), model_name: `${RTL}${EMOJI.repeat(300)}` }),
      );
      expectWithinLimits(p);
      expect(JSON.stringify(p)).not.toContain("extra_");
    }
  });

  it("keeps every limit for arbitrary text in every user field", () => {
    const anyText = fc.oneof(
      fc.string({ unit: "binary", maxLength: 6000 }),
      fc.string({ unit: "grapheme", maxLength: 3000 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...ALL_TYPES), anyText, anyText, (type, name, error) => {
        expectWithinLimits(
          formatMattermost(
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
