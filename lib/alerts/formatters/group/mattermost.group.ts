import type { GroupCard } from "../../grouping/group-card";
import { type GroupMemberView, groupView } from "../../grouping/group-view";
import { fitEscaped, truncate } from "../fit";
import {
  escapeMattermost,
  MATTERMOST_COLOURS,
  MATTERMOST_LIMITS,
  type MattermostPayload,
} from "../mattermost.formatter";
import { escapedMember, markdownUrl, packMembers } from "./member-list";

/** How much of a group a Mattermost post lists; the rest is "+K more". */
export const MATTERMOST_GROUP = {
  /** Members listed at most: a screenful, not a scroll. */
  members: 25,
  name: 80,
  line: 160,
  /** The attachment text's share of the post's 16,383 characters. */
  text: 8000,
} as const;

/** "• [mistral-7b](url) — torch.OutOfMemoryError: CUDA out of memory." (brackets in the name are escaped) */
function memberLine(m: GroupMemberView): string {
  const { name, line } = escapedMember(m, MATTERMOST_GROUP, escapeMattermost, 3);
  return `• [${name}](${markdownUrl(m.url)})${line ? ` — ${line}` : ""}`;
}

/**
 * A group message for a Mattermost incoming webhook: one attachment whose
 * title is the headline with count and type (linking to the history
 * filtered to the group), the summary and the newest members (model linking
 * to its job, key line) in its text, "+K more" with the history link, and
 * fields for the count and the label. `@channel` and friends in user text
 * never notify (escapeMattermost). Within 16,383 characters for any batch. Pure.
 */
export function formatMattermostGroup(card: GroupCard): MattermostPayload {
  const view = groupView(card, MATTERMOST_GROUP.members);
  const L = MATTERMOST_LIMITS;
  const moreLine = (k: number) =>
    `\n\n+${k} more — [see all ${view.total} in history](${markdownUrl(view.historyUrl)})`;

  const { text } = packMembers({
    head: fitEscaped(view.summary, 600, escapeMattermost),
    lines: view.members.map((m, i) => `${i === 0 ? "\n\n" : "\n"}${memberLine(m)}`),
    total: view.total,
    more: moreLine,
    max: MATTERMOST_GROUP.text,
  });
  return {
    attachments: [
      {
        fallback: truncate(view.headline, L.fallback).replace(/([@~])/g, "$1\u200b"),
        color: MATTERMOST_COLOURS[view.level],
        title: fitEscaped(view.headline, L.title, escapeMattermost) || "Alerts",
        title_link: view.historyUrl,
        text,
        fields: [
          { short: true, title: "Alerts", value: String(view.total) },
          ...(card.label
            ? [
                {
                  short: true,
                  title: "Group",
                  value: fitEscaped(card.label, 300, escapeMattermost) || "—",
                },
              ]
            : []),
        ],
        footer: `Group message ${card.id.slice(0, 8)}`,
      },
    ],
  };
}
