import type { GroupCard } from "../../grouping/group-card";
import { type GroupMemberView, groupView } from "../../grouping/group-view";
import { fitEscaped } from "../fit";
import { escapeTelegram, TELEGRAM_LIMITS, type TelegramPayload } from "../telegram.formatter";
import { escapedMember, packMembers } from "./member-list";

/** How much of a group a Telegram message lists; the rest is "+K more". */
export const TELEGRAM_GROUP = {
  /** Members listed at most: a phone screen or two. */
  members: 20,
  name: 80,
  line: 160,
} as const;

/**
 * A URL in an `href="…"`: Telegram's HTML takes the same four entities in
 * attributes (https://core.telegram.org/bots/api#html-style), so `&` and `"`
 * are escaped and nothing else is touched.
 */
const href = (url: string) =>
  url.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** `• <a href="url">mistral-7b</a> — torch.OutOfMemoryError: CUDA out of memory.` */
function memberLine(m: GroupMemberView): string {
  // An escaped character is at most 6 (`&quot;`) plus a word joiner.
  const { name, line } = escapedMember(m, TELEGRAM_GROUP, escapeTelegram, 7);
  return `• <a href="${href(m.url)}">${name}</a>${line ? ` — ${line}` : ""}`;
}

/**
 * A group message as a Telegram `sendMessage` body: the headline with count
 * and type in bold, the summary, the newest members (model linking to its
 * job, key line), "+K more" linking to the history filtered to the group,
 * and a "View in History" button; no link preview. Lines are added while the
 * text stays within 4,096 characters, and every user text is escaped to the
 * four entities Telegram accepts, so any batch is valid HTML. Pure.
 */
export function formatTelegramGroup(card: GroupCard): TelegramPayload {
  const view = groupView(card, TELEGRAM_GROUP.members);
  const L = TELEGRAM_LIMITS;
  const head = `<b>${fitEscaped(view.headline, 600, escapeTelegram) || "Alerts"}</b>\n${fitEscaped(view.summary, 600, escapeTelegram)}`;
  const moreLine = (k: number) =>
    `\n\n+${k} more — <a href="${href(view.historyUrl)}">see all ${view.total} in history</a>`;

  const { text } = packMembers({
    head: `${head}\n`,
    lines: view.members.map((m) => `\n${memberLine(m)}`),
    total: view.total,
    more: moreLine,
    max: L.text,
  });
  return {
    text,
    parse_mode: "HTML",
    link_preview_options: { is_disabled: true },
    reply_markup: { inline_keyboard: [[{ text: "View in History", url: view.historyUrl }]] },
  };
}
