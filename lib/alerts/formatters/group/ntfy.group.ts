import type { GroupCard } from "../../grouping/group-card";
import { groupView } from "../../grouping/group-view";
import { truncate, truncateBytes, utf8Length } from "../fit";
import {
  LEADING_EMOJI,
  NTFY_LIMITS,
  NTFY_PRIORITY,
  type NtfyPayload,
  ntfyTag,
} from "../ntfy.formatter";
import { packMembers } from "./member-list";

/** How much of a group an ntfy notification lists; the rest is "+K more". */
export const NTFY_GROUP = {
  /** Members listed at most: a notification, not a report. */
  members: 15,
  name: 80,
  line: 160,
} as const;

/**
 * A group message as an ntfy JSON publish body: the headline with count and
 * type as the title (its emoji as a tag), a plain-text message with the
 * summary, the newest members (model, key line, link to the job) and "+K
 * more" with the link to the history filtered to the group, which is also
 * the click target and the "View in History" action. Markdown is off, so
 * user text is shown as text. Members are added while the message stays
 * within 4,096 UTF-8 bytes. Pure.
 */
export function formatNtfyGroup(card: GroupCard): NtfyPayload {
  const view = groupView(card, NTFY_GROUP.members);
  const L = NTFY_LIMITS;
  const moreLine = (k: number) => `\n\n+${k} more — see all ${view.total}: ${view.historyUrl}`;

  const { text: message } = packMembers({
    head: truncateBytes(view.summary, 600),
    lines: view.members.map(
      (m, i) =>
        `\n${i === 0 ? "\n" : ""}• ${truncate(m.name, NTFY_GROUP.name)}${m.line ? ` — ${truncate(m.line, NTFY_GROUP.line)}` : ""}\n  ${m.url}`,
    ),
    total: view.total,
    more: moreLine,
    max: L.messageBytes,
    size: utf8Length,
  });

  const title = view.headline.replace(LEADING_EMOJI, "") || view.headline;
  return {
    title: truncate(title, L.title),
    message: truncateBytes(message, L.messageBytes),
    priority: NTFY_PRIORITY[view.level],
    tags: [ntfyTag(card.type)],
    click: view.historyUrl,
    actions: [{ action: "view", label: "View in History", url: view.historyUrl, clear: true }],
  };
}
