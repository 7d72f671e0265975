import type { GroupCard } from "../../grouping/group-card";
import { groupView } from "../../grouping/group-view";
import { fitEscaped, truncate } from "../fit";
import {
  escapeSlack,
  SLACK_LIMITS,
  type SlackBlock,
  type SlackPayload,
  type SlackText,
} from "../slack.formatter";

/** How much of a group a Slack message lists; the rest is "+K more". */
export const SLACK_GROUP = {
  /** Members listed at most: a screenful, not a scroll. */
  members: 20,
  /** One member's name and key line, before escaping. */
  name: 80,
  line: 160,
} as const;

const mrkdwn = (text: string): SlackText => ({ type: "mrkdwn", text, verbatim: true });

/** Link text in `<url|text>` may not hold `|` or `>` (the escape handles `>`). */
const linkText = (s: string) => escapeSlack(s).replace(/\|/g, "¦");

/** "• <url|*mistral-7b*> — torch.OutOfMemoryError: CUDA out of memory." */
function memberLine(m: { name: string; line?: string; url: string }): string {
  const name = `<${m.url}|*${linkText(truncate(m.name, SLACK_GROUP.name))}*>`;
  const line = m.line
    ? ` — ${fitEscaped(truncate(m.line, SLACK_GROUP.line), SLACK_GROUP.line * 2, escapeSlack)}`
    : "";
  return `• ${name}${line}`;
}

/**
 * A group message for a Slack incoming webhook: the headline with count and
 * type, the summary, the newest members (model, key line, link) packed into
 * sections of at most 3000 characters, "+K more" linking to the history
 * filtered to the group, a button, and a context line. Every Slack limit
 * holds for any batch (1,000 members and more). Pure.
 */
export function formatSlackGroup(card: GroupCard): SlackPayload {
  const view = groupView(card, SLACK_GROUP.members);
  const L = SLACK_LIMITS;
  const listed = view.members.slice(0, SLACK_GROUP.members);
  const blocks: SlackBlock[] = [
    {
      type: "header",
      text: { type: "plain_text", text: truncate(view.headline, L.header), emoji: true },
    },
    { type: "section", text: mrkdwn(fitEscaped(view.summary, L.sectionText, escapeSlack)) },
  ];

  // Pack member lines into sections; a line never exceeds a section by construction.
  let chunk: string[] = [];
  const flush = () => {
    if (chunk.length > 0) blocks.push({ type: "section", text: mrkdwn(chunk.join("\n")) });
    chunk = [];
  };
  for (const m of listed) {
    const line = memberLine(m);
    if ([...chunk, line].join("\n").length > L.sectionText) flush();
    chunk.push(line);
  }
  flush();

  const more = view.total - listed.length;
  if (more > 0) {
    blocks.push({
      type: "context",
      elements: [mrkdwn(`+${more} more — <${view.historyUrl}|see all ${view.total} in history>`)],
    });
  }
  blocks.push({
    type: "actions",
    elements: [
      {
        type: "button",
        text: { type: "plain_text", text: "View in History", emoji: true },
        url: view.historyUrl,
      },
    ],
  });
  blocks.push({ type: "context", elements: [mrkdwn(footer(card))] });

  return {
    text: fitEscaped(`${view.headline}: ${view.summary}`, L.fallbackText, escapeSlack),
    blocks: blocks.slice(0, L.blocks),
  };
}

/** "Group message · <window end>": Slack shows the date in each reader's timezone. */
function footer(card: GroupCard): string {
  const seconds = Math.floor(card.windowEnd.getTime() / 1000);
  const when = Number.isFinite(seconds)
    ? ` · <!date^${seconds}^{date_short_pretty} at {time}|${card.windowEnd.toISOString()}>`
    : "";
  return `Group message \`${card.id.slice(0, 8)}\`${when}`;
}
