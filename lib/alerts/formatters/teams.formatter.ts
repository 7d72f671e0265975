import type { AlertLevel } from "../templates/template.types";
import { asLine, errorTail } from "../templates/text";
import type { AlertCard } from "./card";
import { defuseBackticks, truncate, utf8Length } from "./fit";
import { cardView, linkUrl } from "./view";

/**
 * Microsoft Teams limits. A message posted by a Workflows webhook is at most
 * about 28 KB ("Request Entity too large" past it; Microsoft Teams connector,
 * Known issues and limitations, https://learn.microsoft.com/connectors/teams/).
 * Reports put the practical limit lower (~21 KB), so the whole body is cut to
 * fit 20 KB of UTF-8 JSON.
 */
export const TEAMS_LIMITS = {
  bodyBytes: 20_000,
  headline: 200,
  summary: 2000,
  facts: 12,
  factTitle: 100,
  factValue: 600,
  details: 8000,
  hint: 500,
  actionTitle: 50,
} as const;

/** Adaptive Card TextBlock colours by level (https://adaptivecards.io/explorer/TextBlock.html). */
export const TEAMS_COLOURS: Record<AlertLevel, "Attention" | "Good" | "Warning" | "Accent"> = {
  failure: "Attention",
  success: "Good",
  warning: "Warning",
  info: "Accent",
};

export interface TeamsTextBlock {
  type: "TextBlock";
  text: string;
  wrap: true;
  size?: "Small" | "Large";
  weight?: "Bolder";
  color?: string;
  isSubtle?: boolean;
  fontType?: "Monospace";
  spacing?: "Small" | "Medium";
}
export interface TeamsFactSet {
  type: "FactSet";
  facts: { title: string; value: string }[];
}
export interface TeamsCard {
  $schema: "http://adaptivecards.io/schemas/adaptive-card.json";
  type: "AdaptiveCard";
  version: "1.4";
  fallbackText: string;
  body: (TeamsTextBlock | TeamsFactSet)[];
  actions: [{ type: "Action.OpenUrl"; title: string; url: string }];
}
export interface TeamsPayload {
  type: "message";
  attachments: [
    {
      contentType: "application/vnd.microsoft.card.adaptive";
      contentUrl: null;
      content: TeamsCard;
    },
  ];
}

/**
 * User text made inert in Teams' Adaptive Card markdown, which renders links,
 * emphasis and lists (https://learn.microsoft.com/adaptive-cards/authoring-cards/text-features).
 * A zero-width space inside `[` … `](` keeps `[click](http://evil)` from
 * becoming a disguised link; HTML is not rendered by Teams at all, and
 * mentions need `<at>` entities that a card without `msteams.entities`
 * never has. Emphasis is broken the same way so names keep their asterisks.
 */
export const escapeTeams = (s: string) =>
  s
    .replace(/\[/g, "[\u200b")
    .replace(/\]\(/g, "]\u200b(")
    .replace(/([*_~])(?=\S)/g, "$1\u200b");

const block = (text: string, extra: Partial<TeamsTextBlock> = {}): TeamsTextBlock => ({
  type: "TextBlock",
  text,
  wrap: true,
  ...extra,
});

/**
 * A Teams Workflows webhook body: an Adaptive Card 1.4 in a message
 * attachment, with the headline, the summary, a FactSet of the facts, the
 * error's tail in monospace, the hint, the job id, and an Action.OpenUrl
 * "View Details". When the JSON would pass 20 KB, every long part is cut by
 * the same factor until it fits. Pure.
 */
export function formatTeams(card: AlertCard): TeamsPayload {
  for (let scale = 1; scale > 0.02; scale *= 0.7) {
    const payload = render(card, scale);
    if (utf8Length(JSON.stringify(payload)) <= TEAMS_LIMITS.bodyBytes) return payload;
  }
  return render(card, 0);
}

function render(card: AlertCard, scale: number): TeamsPayload {
  const view = cardView(card);
  const L = TEAMS_LIMITS;
  const cap = (n: number) => Math.max(0, Math.floor(n * scale));
  const cut = (text: string, max: number) => escapeTeams(truncate(text, max));
  const jobId = card.jobId ? asLine(card.jobId) : undefined;

  const body: (TeamsTextBlock | TeamsFactSet)[] = [
    block(cut(view.headline, L.headline) || "Alert", {
      size: "Large",
      weight: "Bolder",
      color: TEAMS_COLOURS[view.level],
    }),
  ];
  if (scale > 0) {
    body.push(block(cut(view.summary, cap(L.summary)) || "…"));
    const facts = view.facts.slice(0, L.facts).map((f) => ({
      title: cut(f.label, L.factTitle) || "—",
      value: cut(f.value, Math.max(1, cap(L.factValue))) || "—",
    }));
    if (facts.length > 0) body.push({ type: "FactSet", facts });
    if (view.details && cap(L.details) >= 40) {
      const tail = errorTail(view.details.text, { maxChars: cap(L.details), maxLines: 60 });
      if (tail) {
        body.push(block(escapeTeams(view.details.label), { weight: "Bolder", spacing: "Medium" }));
        body.push(
          block(escapeTeams(defuseBackticks(tail)), { fontType: "Monospace", size: "Small" }),
        );
      }
    }
    if (view.hint) body.push(block(`💡 ${cut(view.hint, L.hint)}`, { isSubtle: true }));
  }
  if (jobId) body.push(block(cut(`Job ID: ${jobId}`, 250), { isSubtle: true, size: "Small" }));

  return teamsMessage({
    fallbackText: truncate(`${view.headline}: ${view.summary}`, 300),
    body,
    actions: [
      {
        type: "Action.OpenUrl",
        title: truncate(view.link.label, L.actionTitle),
        url: linkUrl(card, view),
      },
    ],
  });
}

/** A card's content in the message a Workflows webhook takes: an Adaptive Card 1.4 attachment. Pure. */
export function teamsMessage(
  content: Pick<TeamsCard, "fallbackText" | "body" | "actions">,
): TeamsPayload {
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          ...content,
        },
      },
    ],
  };
}
