import fc from "fast-check";
import { describe, expect, it } from "vitest";
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
import { CHANNELS } from "../channels/index";
import {
  formatSlack,
  SLACK_LIMITS,
  type SlackBlock,
  type SlackPayload,
  type SlackText,
} from "./slack.formatter";

const L = SLACK_LIMITS;

const header = (p: SlackPayload) => p.blocks.find((b) => b.type === "header");
const section = (p: SlackPayload) =>
  p.blocks.find((b): b is Extract<SlackBlock, { type: "section" }> => b.type === "section");
const button = (p: SlackPayload) =>
  p.blocks.find((b): b is Extract<SlackBlock, { type: "actions" }> => b.type === "actions")
    ?.elements[0];
const codeSection = (p: SlackPayload) =>
  p.blocks
    .filter((b): b is Extract<SlackBlock, { type: "section" }> => b.type === "section")
    .find((b) => b.text?.text.includes("```"));

/** Every text object in the payload. */
function texts(p: SlackPayload): SlackText[] {
  return p.blocks.flatMap((b): SlackText[] => {
    if (b.type === "header") return [b.text];
    if (b.type === "section") return [...(b.text ? [b.text] : []), ...(b.fields ?? [])];
    if (b.type === "context") return b.elements;
    return b.elements.map((e) => e.text);
  });
}

/** Every limit of DESIGN.md §6 and Slack's reference, checked on one payload. */
function expectWithinLimits(p: SlackPayload) {
  expect(p.text.length).toBeGreaterThan(0);
  expect(p.text.length).toBeLessThanOrEqual(L.fallbackText);
  expect(p.blocks.length).toBeLessThanOrEqual(L.blocks);
  const h = header(p);
  expect(h?.text.text.length).toBeGreaterThan(0);
  expect(h?.text.text.length).toBeLessThanOrEqual(L.header);
  for (const block of p.blocks) {
    if (block.type !== "section") continue;
    expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(L.sectionText);
    expect(block.fields?.length ?? 0).toBeLessThanOrEqual(L.fields);
    for (const f of block.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(L.field);
  }
  for (const block of p.blocks) {
    if (block.type !== "context") continue;
    for (const e of block.elements) expect(e.text.length).toBeLessThanOrEqual(L.sectionText);
  }
  expect(button(p)?.text.text.length).toBeLessThanOrEqual(L.buttonText);
  for (const t of texts(p)) expect(isWellFormed(t.text)).toBe(true);
  expect(isWellFormed(p.text)).toBe(true);
}

describe("Slack formatter", () => {
  it.each(ALL_TYPES)(
    "renders %s with a header, a summary, a View Details link and a fallback text",
    (type) => {
      const p = formatSlack(cardOf(type));
      expect(p.blocks[0]?.type).toBe("header");
      expect(section(p)?.text?.text.length).toBeGreaterThan(0);
      expect(button(p)?.url.startsWith(APP_URL)).toBe(true);
      expect(p.text).toContain(header(p)?.text.text);
      expectWithinLimits(p);
    },
  );

  it("shapes job_completed like the seed: header, Model/Duration/Final Loss/Steps fields, View Details button", () => {
    const p = formatSlack(cardOf("job_completed"));
    expect(header(p)?.text).toMatchObject({ type: "plain_text", text: "✅ Training Complete" });
    expect(section(p)?.fields?.map((f) => f.text)).toEqual([
      "*Model:*\nmistral-7b-custom",
      "*Duration:*\n2h 34m",
      "*Final Loss:*\n0.342",
      "*Steps:*\n5000/5000",
    ]);
    expect(section(p)?.fields?.every((f) => f.type === "mrkdwn")).toBe(true);
    expect(button(p)).toMatchObject({
      type: "button",
      text: { type: "plain_text", text: "View Details" },
      url: `${APP_URL}/training/monitor?jobId=${JOB_ID}`,
    });
  });

  it.each([
    ["job_started", "🚀 Training Started"],
    ["job_failed", "❌ Training Failed"],
    ["job_cancelled", "⏹️ Training Cancelled"],
    ["gpu_oom", "💥 GPU Out of Memory"],
    ["disk_warning", "💾 Disk Almost Full"],
    ["timeout_warning", "⏳ Training Stalled"],
  ])("heads %s with %s", (type, text) => {
    expect(header(formatSlack(cardOf(type)))?.text.text).toBe(text);
  });

  it("links to the alert history when the alert has no job", () => {
    const p = formatSlack(cardOf("disk_warning", undefined, { jobId: null }));
    expect(button(p)?.url).toBe(`${APP_URL}/alerts/history`);
  });

  it("puts a failed job's error tail in a code block, exception line included", () => {
    const p = formatSlack(cardOf("job_failed"));
    const block = codeSection(p)?.text?.text ?? "";
    expect(block).toMatch(/^\*Error:\*\n```\n[\s\S]*\n```$/);
    expect(block).toContain("torch.OutOfMemoryError: CUDA out of memory.");
    expect(section(p)?.fields?.map((f) => f.text)).toContain(
      "*Error:*\ntorch.OutOfMemoryError: CUDA out of memory.",
    );
  });

  it("keeps the final exception line and the frames before it from a 50 KB traceback", () => {
    const p = formatSlack(cardOf("job_failed", { model_name: "m", error: hugeTraceback() }));
    const block = codeSection(p)?.text?.text ?? "";
    expect(block.length).toBeLessThanOrEqual(L.sectionText);
    expect(block).toContain(FINAL_EXCEPTION);
    expect(block).toContain('File "/workspace/lib/innermost.py", line 7, in forward');
    expect(block).not.toContain("module_0.py");
  });

  it("escapes mention and link syntax in user text so that nothing pings or links", () => {
    const data = { model_name: INJECTION, error: `boom\n${INJECTION}\nValueError: ${INJECTION}` };
    for (const type of ["job_failed", "job_completed", "webhook_disabled"]) {
      const body = JSON.stringify(
        formatSlack(cardOf(type, { ...data, webhook_name: INJECTION, reason: INJECTION })),
      );
      for (const needle of [
        "<!channel>",
        "<!here>",
        "<!everyone>",
        "<@U123>",
        "<#C123>",
        "<http://evil",
      ])
        expect(body).not.toContain(needle);
      expect(body).not.toMatch(/@(channel|here|everyone)/);
    }
    const p = formatSlack(cardOf("job_completed", { model_name: "<!channel> & <@U123>" }));
    expect(section(p)?.fields?.[0]?.text).toBe("*Model:*\n&lt;!channel&gt; &amp; &lt;@U123&gt;");
    expect(section(p)?.fields?.every((f) => f.verbatim === true)).toBe(true);
  });

  it("defuses backticks in an error so that it cannot close its code block", () => {
    const p = formatSlack(
      cardOf("job_failed", { error: "```\n<!channel>\n```\nRuntimeError: ``` x" }),
    );
    const block = codeSection(p)?.text?.text ?? "";
    expect(block.match(/```/g)).toHaveLength(2);
    expect(block).toContain("&lt;!channel&gt;");
  });

  it("keeps every limit for every type with hostile inputs (300-char names, 50 KB tracebacks, emoji, RTL, 100 extra fields)", () => {
    for (const type of ALL_TYPES) {
      const p = formatSlack(cardOf(type, hostileData(), { jobId: hostileName(500) }));
      expectWithinLimits(p);
      // Extra data fields are for generic webhooks; chat shows the known facts only.
      expect(JSON.stringify(p)).not.toContain("extra_");
    }
  });

  it("cuts a field that is too long with an ellipsis between whole emoji", () => {
    const p = formatSlack(cardOf("job_completed", { model_name: EMOJI.repeat(400) }));
    const model = section(p)?.fields?.[0]?.text ?? "";
    expect(model.length).toBeLessThanOrEqual(L.field);
    expect(model.endsWith("…")).toBe(true);
    expect(isWellFormed(model)).toBe(true);
  });

  it("drops right-to-left override characters but keeps right-to-left text", () => {
    const p = formatSlack(cardOf("job_completed", { model_name: RTL }));
    const model = section(p)?.fields?.[0]?.text ?? "";
    expect(model).toContain("نموذج-عربي מודל");
    expect(model).not.toContain("\u202e");
  });

  it("renders an alert type it has no template for from the stored title and message", () => {
    const p = formatSlack(
      cardOf("future_type", {}, { title: "🧪 Something new", message: "<!here> it happened" }),
    );
    expect(header(p)?.text.text).toBe("🧪 Something new");
    expect(section(p)?.text?.text).toBe("&lt;!here&gt; it happened");
    expectWithinLimits(p);
  });

  it("is what a slack webhook sends", () => {
    const card = cardOf("job_completed");
    expect(
      JSON.parse(
        CHANNELS.slack.format(card, {
          kind: "slack",
          webhookId: "w",
          address: "https://example.test/hook",
          secret: null,
        }).body,
      ),
    ).toEqual(formatSlack(card));
  });

  it("keeps every limit for arbitrary text in every user field", () => {
    const anyText = fc.oneof(
      fc.string({ unit: "binary", maxLength: 6000 }),
      fc.string({ unit: "grapheme", maxLength: 3000 }),
      // Lone surrogates and control characters too.
      fc.string({
        unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
        maxLength: 3000,
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...ALL_TYPES), anyText, anyText, (type, name, error) => {
        expectWithinLimits(
          formatSlack(
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
