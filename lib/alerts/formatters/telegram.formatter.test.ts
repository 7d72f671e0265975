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
import { telegramHtmlProblems } from "@/tests/helpers/telegram-html";
import { formatTelegram, TELEGRAM_LIMITS, type TelegramPayload } from "./telegram.formatter";

/** Markup injection aimed at Telegram's HTML parse mode. */
const HTML_INJECTION = `</b><a href="http://evil.example">click</a><b> &amp; &#60;tg-spoiler&#62; @channel @durov`;

function expectWithinLimits(p: TelegramPayload) {
  expect(p.text.length).toBeGreaterThan(0);
  expect(p.text.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.text);
  expect(telegramHtmlProblems(p.text)).toEqual([]);
  expect(isWellFormed(p.text)).toBe(true);
  expect(p.parse_mode).toBe("HTML");
  expect(p.link_preview_options).toEqual({ is_disabled: true });
  const button = p.reply_markup.inline_keyboard[0][0];
  expect(button.url.startsWith(APP_URL)).toBe(true);
  expect(button.text.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.buttonText);
}

describe("Telegram formatter", () => {
  it.each(ALL_TYPES)("renders %s as HTML with a bold headline and a link button", (type) => {
    const p = formatTelegram(cardOf(type));
    expect(p.text).toMatch(/^<b>.+<\/b>\n/);
    expect(p.reply_markup.inline_keyboard[0][0].text.length).toBeGreaterThan(0);
    expectWithinLimits(p);
  });

  it("shows job_completed's facts and the job id", () => {
    const p = formatTelegram(cardOf("job_completed"));
    expect(p.text).toContain("<b>Model:</b> mistral-7b-custom");
    expect(p.text).toContain("<b>Final Loss:</b> 0.342");
    expect(p.text).toContain(`<code>${JOB_ID}</code>`);
    expect(p.reply_markup.inline_keyboard[0][0].url).toBe(
      `${APP_URL}/training/monitor?jobId=${JOB_ID}`,
    );
  });

  it("keeps the exception line of a 50 KB traceback in a <pre> block within 4096 characters", () => {
    const p = formatTelegram(cardOf("job_failed", { model_name: "m", error: hugeTraceback() }));
    expect(p.text).toMatch(/<pre>[\s\S]*<\/pre>/);
    expect(p.text).toContain(FINAL_EXCEPTION);
    expectWithinLimits(p);
  });

  it("escapes markup injection so that no tag, link or entity of the user's takes effect", () => {
    const p = formatTelegram(
      cardOf("job_failed", {
        model_name: HTML_INJECTION,
        error: `boom\nValueError: ${HTML_INJECTION}`,
      }),
    );
    expectWithinLimits(p);
    expect(p.text).not.toContain("<a ");
    expect(p.text).not.toContain("</b><a");
    expect(p.text).toContain("&lt;/b&gt;&lt;a href=&quot;http://evil.example&quot;&gt;");
    // Numeric entities are shown as typed, not decoded.
    expect(p.text).toContain("&amp;#60;tg-spoiler&amp;#62;");
    // No @mention reaches Telegram.
    expect(p.text).not.toMatch(/@\w/);
  });

  it("keeps every limit for every type with hostile inputs (300-char names, 50 KB tracebacks, emoji, RTL)", () => {
    for (const type of ALL_TYPES) {
      const p = formatTelegram(
        cardOf(
          type,
          { ...hostileData(), model_name: `${HTML_INJECTION}${hostileName(300)}` },
          { jobId: hostileName(500) },
        ),
      );
      expectWithinLimits(p);
      expect(p.text).not.toContain("extra_");
    }
  });

  it("cuts a long name between whole emoji and keeps right-to-left text without overrides", () => {
    const p = formatTelegram(
      cardOf("job_completed", { model_name: `${RTL} ${EMOJI.repeat(400)}` }),
    );
    expectWithinLimits(p);
    expect(p.text).toContain("نموذج-عربي מודל");
    expect(p.text).not.toContain("\u202e");
    expect(p.text).toContain("…");
  });

  it("keeps every limit for arbitrary text in every user field", () => {
    const anyText = fc.oneof(
      fc.string({ unit: "binary", maxLength: 6000 }),
      fc.string({ unit: "grapheme", maxLength: 3000 }),
      fc.constantFrom(INJECTION, HTML_INJECTION, "&".repeat(5000), "<".repeat(5000)),
    );
    fc.assert(
      fc.property(fc.constantFrom(...ALL_TYPES), anyText, anyText, (type, name, error) => {
        expectWithinLimits(
          formatTelegram(
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
