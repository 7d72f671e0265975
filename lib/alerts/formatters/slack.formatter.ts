import { asLine } from "../templates/text";
import type { AlertCard } from "./card";
import { codeBlock, defuseBackticks, fitEscaped, truncate } from "./fit";
import { cardView, linkUrl } from "./view";

/** Slack Block Kit limits (DESIGN.md §6 and Slack's block reference). */
export const SLACK_LIMITS = {
  header: 150,
  fields: 10,
  field: 2000,
  sectionText: 3000,
  blocks: 50,
  buttonText: 75,
  /** Slack cuts the top-level `text` at 4000 for display; 3000 leaves room. */
  fallbackText: 3000,
} as const;

export interface SlackText {
  type: "plain_text" | "mrkdwn";
  text: string;
  emoji?: boolean;
  /** On mrkdwn: do not auto-link bare URLs, #channels or @mentions. */
  verbatim?: boolean;
}
export interface SlackButton {
  type: "button";
  text: SlackText;
  url: string;
}
export type SlackBlock =
  | { type: "header"; text: SlackText }
  | { type: "section"; text?: SlackText; fields?: SlackText[] }
  | { type: "context"; elements: SlackText[] }
  | { type: "actions"; elements: SlackButton[] };

export interface SlackPayload {
  /** Notifications and clients without blocks show this. */
  text: string;
  blocks: SlackBlock[];
}

/**
 * User text made inert in mrkdwn: Slack's required escapes turn `<!channel>`,
 * `<@U123>` and `<http://evil|click>` into visible text, and a zero-width
 * space keeps a bare `@here` from ever becoming a mention.
 */
export const escapeSlack = (s: string) =>
  s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/@(channel|here|everyone)/gi, "@\u200b$1");

const mrkdwn = (text: string): SlackText => ({ type: "mrkdwn", text, verbatim: true });
const plain = (text: string, max: number): SlackText => ({
  type: "plain_text",
  text: truncate(text, max),
  emoji: true,
});

/**
 * A Slack incoming-webhook payload shaped like the seed's example: a header,
 * a section of fields (with the one-line summary as its text), the error's
 * tail in a code block, a hint, a "View Details" button and a context line
 * with the job id and time. Every limit holds for any input. Pure.
 */
export function formatSlack(card: AlertCard): SlackPayload {
  const view = cardView(card);
  const L = SLACK_LIMITS;
  const fields = view.facts.slice(0, L.fields).map((f) => {
    const label = `*${escapeSlack(f.label)}:*\n`;
    return mrkdwn(label + fitEscaped(f.value, L.field - label.length, escapeSlack));
  });

  const blocks: SlackBlock[] = [
    { type: "header", text: plain(view.headline, L.header) },
    {
      type: "section",
      text: mrkdwn(fitEscaped(view.summary, L.sectionText, escapeSlack)),
      ...(fields.length > 0 ? { fields } : {}),
    },
  ];
  if (view.details) {
    const label = `*${view.details.label}:*\n`;
    const block = codeBlock(view.details.text, L.sectionText - label.length, escapeSlack, 30);
    if (block) blocks.push({ type: "section", text: mrkdwn(label + block) });
  }
  if (view.hint) {
    blocks.push({
      type: "context",
      elements: [mrkdwn(fitEscaped(`💡 ${view.hint}`, L.sectionText, escapeSlack))],
    });
  }
  blocks.push({
    type: "actions",
    elements: [
      { type: "button", text: plain(view.link.label, L.buttonText), url: linkUrl(card, view) },
      ...(card.mute
        ? [
            {
              type: "button" as const,
              text: plain(card.mute.label, L.buttonText),
              url: card.mute.url,
            },
          ]
        : []),
    ],
  });
  blocks.push({ type: "context", elements: [mrkdwn(footer(card))] });

  return {
    text: fitEscaped(`${view.headline}: ${view.summary}`, L.fallbackText, escapeSlack),
    blocks:
      blocks.length <= L.blocks ? blocks : [...blocks.slice(0, L.blocks - 1), ...blocks.slice(-1)],
  };
}

/** "Job ID: `…` · <date>": Slack shows the date in each reader's own timezone. */
function footer(card: AlertCard): string {
  const seconds = Math.floor(card.createdAt.getTime() / 1000);
  const when = Number.isFinite(seconds)
    ? `<!date^${seconds}^{date_short_pretty} at {time}|${card.createdAt.toISOString()}>`
    : "";
  const jobId = card.jobId ? asLine(card.jobId) : undefined;
  const job = jobId ? `Job ID: \`${fitEscaped(defuseBackticks(jobId), 200, escapeSlack)}\`` : "";
  return [job, when].filter(Boolean).join(" · ") || "Training Alerts";
}
