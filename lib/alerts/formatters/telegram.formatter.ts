import { asLine, errorTail } from "../templates/text";
import type { AlertCard } from "./card";
import { fitEscaped, truncate } from "./fit";
import { cardView, linkUrl } from "./view";

/**
 * Telegram Bot API limits (https://core.telegram.org/bots/api#sendmessage):
 * `text` is 1–4096 characters after entities parsing. We count the HTML we
 * send, which is never shorter than what Telegram counts once tags and
 * entities are parsed away. An inline-keyboard button's text has no
 * documented limit; 64 keeps it on one line.
 */
export const TELEGRAM_LIMITS = { text: 4096, buttonText: 64 } as const;

export interface TelegramPayload {
  /** Set by the channel from the webhook's URL; the formatter does not know the chat. */
  chat_id?: string | number;
  text: string;
  parse_mode: "HTML";
  /** Bot API 7.0+: replaces disable_web_page_preview (https://core.telegram.org/bots/api#linkpreviewoptions). */
  link_preview_options: { is_disabled: true };
  reply_markup: { inline_keyboard: [[{ text: string; url: string }]] };
}

/**
 * User text made inert in Telegram's HTML parse mode. Telegram accepts only
 * the named entities `&lt; &gt; &amp; &quot;` (https://core.telegram.org/bots/api#html-style),
 * so `</b><a href=…>` stays text. A word joiner after `@` keeps `@username`
 * from becoming a mention that notifies someone in a group.
 */
export const escapeTelegram = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/@(?=\w)/g, "@\u2060");

/**
 * A Telegram `sendMessage` body: the headline in bold, the summary, the facts,
 * the error's tail in a `<pre>` block, the hint, the job id; a "View Details"
 * URL button; no link preview. Within 4096 characters for any input. Pure.
 */
export function formatTelegram(card: AlertCard): TelegramPayload {
  const view = cardView(card);
  const L = TELEGRAM_LIMITS;
  const jobId = card.jobId ? asLine(card.jobId) : undefined;

  const head = `<b>${fitEscaped(view.headline, 300, escapeTelegram)}</b>`;
  const footer = jobId
    ? `\n\n<i>Job ID: <code>${fitEscaped(jobId, 200, escapeTelegram)}</code></i>`
    : "";
  const hint = view.hint ? `\n\n💡 ${fitEscaped(view.hint, 500, escapeTelegram)}` : "";
  let budget = L.text - head.length - footer.length - hint.length;

  // The summary first, then the facts, then as much of the error as is left.
  const summary = `\n${fitEscaped(view.summary, Math.min(1000, budget - 1), escapeTelegram)}`;
  budget -= summary.length;
  let facts = "";
  for (const f of view.facts) {
    const label = `\n<b>${escapeTelegram(f.label)}:</b> `;
    const room = Math.min(600, budget - facts.length - label.length);
    if (room < 10) break;
    facts += label + fitEscaped(f.value, room, escapeTelegram);
  }
  budget -= facts.length;
  let details = "";
  if (view.details) {
    const label = `\n\n<b>${escapeTelegram(view.details.label)}:</b>\n<pre>`;
    const room = budget - label.length - "</pre>".length;
    const tail = room >= 40 ? preBlock(view.details.text, room) : "";
    if (tail) details = `${label}${tail}</pre>`;
  }
  const text = head + summary + facts + details + hint + footer;
  return {
    // Fits by construction; the short form is a guard that never cuts inside a tag.
    text: text.length <= L.text ? text : head + summary + footer,
    parse_mode: "HTML",
    link_preview_options: { is_disabled: true },
    reply_markup: {
      inline_keyboard: [
        [{ text: truncate(view.link.label, L.buttonText), url: linkUrl(card, view) }],
      ],
    },
  };
}

/** The error's informative tail, escaped, in at most `max` characters. */
function preBlock(raw: string, max: number): string {
  // errorTail keeps the exception line and the frames just before it.
  let budget = max;
  while (budget >= 20) {
    const tail = errorTailOf(raw, budget);
    if (tail === undefined) return "";
    const escaped = escapeTelegram(tail);
    if (escaped.length <= max) return escaped;
    budget -= Math.max(1, escaped.length - max);
  }
  return "";
}

const errorTailOf = (raw: string, maxChars: number) => errorTail(raw, { maxChars, maxLines: 40 });
