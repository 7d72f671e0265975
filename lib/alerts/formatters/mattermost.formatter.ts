import type { AlertLevel } from "../templates/template.types";
import { asLine } from "../templates/text";
import type { AlertCard } from "./card";
import { codeBlock, fitEscaped, truncate } from "./fit";
import { cardView, linkUrl } from "./view";

/**
 * Mattermost limits. A post's message is at most 16,383 characters
 * (server `PostMessageMaxRunesV2`); attachments live in the post's props,
 * which allow more, but we keep every text of the attachment together within
 * the same 16,383 so that nothing is cut on any server version. Fields are
 * Slack's attachment fields (https://developers.mattermost.com/integrate/reference/message-attachments/).
 */
export const MATTERMOST_LIMITS = {
  total: 16_383,
  title: 250,
  fields: 20,
  fieldTitle: 100,
  fieldValue: 1000,
  text: 8000,
  fallback: 300,
} as const;

/** Attachment colours by level (the left border). */
export const MATTERMOST_COLOURS: Record<AlertLevel, string> = {
  failure: "#E74C3C",
  success: "#2ECC71",
  warning: "#F59E0B",
  info: "#3498DB",
};

export interface MattermostField {
  short: boolean;
  title: string;
  value: string;
}
export interface MattermostAttachment {
  fallback: string;
  color: string;
  title: string;
  title_link: string;
  text: string;
  fields: MattermostField[];
  footer: string;
}
export interface MattermostPayload {
  attachments: [MattermostAttachment];
}

/**
 * User text made inert in Mattermost markdown: backslashes before markdown
 * characters (no links, images, headings, tables or code spans) and a
 * zero-width space after `@` and `~`, so `@channel`, `@all`, `@here`,
 * `@someone` and `~town-square` stay text — attachment text supports
 * @mentions.
 */
export const escapeMattermost = (s: string) =>
  s.replace(/[\\*_~`|[\]()<>#!]/g, "\\$&").replace(/([@~])/g, "$1\u200b");

/** Inside a code block only mentions can act; markdown is off. */
const escapeMattermostCode = (s: string) => s.replace(/([@~])/g, "$1\u200b");

/**
 * A Mattermost incoming-webhook body: one Slack-style attachment (Mattermost
 * renders attachments, not Block Kit) with the headline as title linking to
 * the job, a colour by level, short fields, the summary and the error's tail
 * in a code block, and the job id in the footer. Within 16,383 characters
 * for any input. Pure.
 */
export function formatMattermost(card: AlertCard): MattermostPayload {
  const view = cardView(card);
  const L = MATTERMOST_LIMITS;
  const jobId = card.jobId ? asLine(card.jobId) : undefined;

  const title = fitEscaped(view.headline, L.title, escapeMattermost) || "Alert";
  // Plain text (notifications show it unrendered), mentions defused all the same.
  const fallback = truncate(`${view.headline}: ${view.summary}`, L.fallback).replace(
    /([@~])/g,
    "$1\u200b",
  );
  const footer = fitEscaped(jobId ? `Job ID: ${jobId}` : "Training Alerts", 300, escapeMattermost);
  const fields = view.facts.slice(0, L.fields).map((f) => ({
    short: !f.wide,
    title: fitEscaped(f.label, L.fieldTitle, escapeMattermost) || "—",
    value: fitEscaped(f.value, L.fieldValue, escapeMattermost) || "—",
  }));
  const used =
    title.length +
    fallback.length +
    footer.length +
    fields.reduce((n, f) => n + f.title.length + f.value.length, 0);
  const text = renderText(view, Math.min(L.text, L.total - used));

  return {
    attachments: [
      {
        fallback,
        color: MATTERMOST_COLOURS[view.level],
        title,
        title_link: linkUrl(card, view),
        text,
        fields,
        footer,
      },
    ],
  };
}

/** Summary, then the error's tail in a code block, then the hint: each only if it fits. */
function renderText(view: ReturnType<typeof cardView>, budget: number): string {
  let out = fitEscaped(view.summary, Math.min(budget, 2000), escapeMattermost);
  if (view.details) {
    const label = `\n\n**${view.details.label}**\n`;
    const room = budget - out.length - label.length;
    const block = room >= 60 ? codeBlock(view.details.text, room, escapeMattermostCode, 60) : "";
    if (block) out += label + block;
  }
  if (view.hint) {
    const hint = `\n\n💡 ${escapeMattermost(view.hint)}`;
    if (out.length + hint.length <= budget) out += hint;
  }
  return out;
}

/** Every character of the attachment that counts toward the limit. */
export function mattermostLength(a: MattermostAttachment): number {
  return (
    a.title.length +
    a.fallback.length +
    a.footer.length +
    a.text.length +
    a.fields.reduce((n, f) => n + f.title.length + f.value.length, 0)
  );
}
