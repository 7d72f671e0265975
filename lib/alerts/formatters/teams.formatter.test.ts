import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adaptiveCardErrors } from "@/tests/helpers/adaptive-card";
import {
  ALL_TYPES,
  APP_URL,
  cardOf,
  EMOJI,
  FINAL_EXCEPTION,
  hostileData,
  hostileName,
  hugeTraceback,
  INJECTION,
  isWellFormed,
  JOB_ID,
  RTL,
} from "@/tests/helpers/alert-cards";
import { utf8Length } from "./fit";
import {
  formatTeams,
  TEAMS_LIMITS,
  type TeamsPayload,
  type TeamsTextBlock,
} from "./teams.formatter";

const texts = (p: TeamsPayload): string[] =>
  p.attachments[0].content.body.flatMap((b) =>
    b.type === "TextBlock" ? [b.text] : b.facts.flatMap((f) => [f.title, f.value]),
  );

function expectValid(p: TeamsPayload) {
  expect(p.type).toBe("message");
  expect(p.attachments[0].contentType).toBe("application/vnd.microsoft.card.adaptive");
  const card = p.attachments[0].content;
  expect(adaptiveCardErrors(card)).toEqual([]);
  expect(card.version).toBe("1.4");
  expect(utf8Length(JSON.stringify(p))).toBeLessThanOrEqual(TEAMS_LIMITS.bodyBytes);
  const action = card.actions[0];
  expect(action.type).toBe("Action.OpenUrl");
  expect(new URL(action.url).origin).toBe(APP_URL);
  for (const t of texts(p)) expect(isWellFormed(t)).toBe(true);
}

describe("Teams formatter", () => {
  it.each(ALL_TYPES)(
    "renders %s as an Adaptive Card 1.4 that the official schema accepts",
    (type) => {
      expectValid(formatTeams(cardOf(type)));
    },
  );

  it("shows job_completed's facts in a FactSet and opens the job with View Details", () => {
    const card = formatTeams(cardOf("job_completed")).attachments[0].content;
    const head = card.body[0] as TeamsTextBlock;
    expect(head).toMatchObject({
      type: "TextBlock",
      text: "✅ Training Complete",
      weight: "Bolder",
      color: "Good",
    });
    expect(card.body.find((b) => b.type === "FactSet")).toEqual({
      type: "FactSet",
      facts: [
        { title: "Model", value: "mistral-7b-custom" },
        { title: "Duration", value: "2h 34m" },
        { title: "Final Loss", value: "0.342" },
        { title: "Steps", value: "5000/5000" },
      ],
    });
    expect(card.actions).toEqual([
      {
        type: "Action.OpenUrl",
        title: "View Details",
        url: `${APP_URL}/training/monitor?jobId=${JOB_ID}`,
      },
    ]);
  });

  it("puts the tail of a 50 KB traceback in monospace and stays under 20 KB", () => {
    const p = formatTeams(cardOf("job_failed", { model_name: "m", error: hugeTraceback() }));
    const mono = p.attachments[0].content.body.find(
      (b) => b.type === "TextBlock" && b.fontType === "Monospace",
    );
    expect((mono as TeamsTextBlock | undefined)?.text).toContain(FINAL_EXCEPTION);
    expectValid(p);
  });

  it("keeps markdown links of user text from becoming links; HTML stays text", () => {
    const attack = `${INJECTION} </b><a href="http://evil.example">x</a> [click](http://evil.example)`;
    const p = formatTeams(
      cardOf("job_failed", { model_name: attack, error: `${attack}\nValueError: ${attack}` }),
    );
    for (const t of texts(p)) expect(t).not.toMatch(/\[[^\]]*\]\(/);
    expectValid(p);
  });

  it("keeps the schema and the size limit for every type with hostile inputs (300-char names, 50 KB tracebacks, emoji, RTL)", () => {
    for (const type of ALL_TYPES) {
      expectValid(formatTeams(cardOf(type, hostileData(), { jobId: hostileName(500) })));
      expectValid(
        formatTeams(
          cardOf(type, { model_name: `${RTL}${EMOJI.repeat(3000)}`, error: EMOJI.repeat(20_000) }),
        ),
      );
    }
  });

  it("keeps the schema and the size limit for arbitrary text", () => {
    const anyText = fc.oneof(
      fc.string({ unit: "binary", maxLength: 6000 }),
      fc.string({ unit: "grapheme", maxLength: 3000 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...ALL_TYPES), anyText, anyText, (type, name, error) => {
        expectValid(
          formatTeams(
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
      { numRuns: 100 },
    );
  });
});
