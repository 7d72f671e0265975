import type { AlertLevel } from "../templates/template.types";
import { asLine } from "../templates/text";
import type { AlertCard } from "./card";
import { codeBlock, fitEscaped } from "./fit";
import { cardView, linkUrl } from "./view";

/** Discord embed limits (DESIGN.md §6 and Discord's embed reference). */
export const DISCORD_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  /** Title, description, field names and values and footer, together. */
  total: 6000,
} as const;

/** Embed colours by level; failure red is the seed's 15158332. */
export const DISCORD_COLOURS: Record<AlertLevel, number> = {
  failure: 15158332, // #E74C3C
  success: 3066993, // #2ECC71
  warning: 16096779, // #F59E0B amber
  info: 3447003, // #3498DB
};

export interface DiscordField {
  name: string;
  value: string;
  inline: boolean;
}
export interface DiscordEmbed {
  title: string;
  url: string;
  color: number;
  description?: string;
  fields: DiscordField[];
  footer: { text: string };
  timestamp?: string;
}
export interface DiscordPayload {
  /** Nothing in an alert may ping anyone, whatever the text says. */
  allowed_mentions: { parse: never[] };
  embeds: [DiscordEmbed];
}

/**
 * User text made inert in Discord markdown: backslashes before markdown
 * characters (no masked links, spoilers, headings or code spans) and a
 * zero-width space after every `@`, so `@everyone`, `@here`, `<@123>` and
 * `<@&role>` stay text even where `allowed_mentions` is ignored.
 */
export const escapeDiscord = (s: string) =>
  s.replace(/[\\*_~`|[\]<>#]/g, "\\$&").replace(/@/g, "@\u200b");

/** In a code block markdown is off; only mentions need defusing. */
const escapeDiscordCode = (s: string) => s.replace(/@/g, "@\u200b");

/** A piece of the embed that can render itself within a budget of characters. */
interface Part {
  max: number;
  render(budget: number): string;
}

/**
 * A Discord webhook payload shaped like the seed's example: one embed with
 * the headline as title (linking to the job), a colour by level, inline
 * fields, the error's tail in the description, footer `Job ID: …`. When the
 * whole embed would pass 6000 characters, the biggest parts are cut first
 * (to a common cap), so short facts survive intact. Never fails. Pure.
 */
export function formatDiscord(card: AlertCard): DiscordPayload {
  const view = cardView(card);
  const L = DISCORD_LIMITS;
  // The mute link, when there is one, is a field of its own (webhooks cannot post buttons).
  const muteField = card.mute
    ? { name: "Mute", value: `[${card.mute.label}](${card.mute.url})`, inline: false }
    : undefined;
  const muteSize = muteField ? muteField.name.length + muteField.value.length : 0;
  const facts = view.facts.slice(0, L.fields - (muteField ? 1 : 0));
  const fixed = (text: string, max: number): Part => ({
    max,
    render: (budget) => fitEscaped(text, Math.min(max, budget), escapeDiscord),
  });

  const title = fixed(view.headline, L.title);
  const description: Part = {
    max: L.description,
    render: (budget) => renderDescription(view, Math.min(L.description, budget)),
  };
  const names = facts.map((f) => fixed(f.label, L.fieldName));
  const values = facts.map((f) => fixed(f.value, L.fieldValue));
  const jobId = card.jobId ? asLine(card.jobId) : undefined;
  const footer = fixed(jobId ? `Job ID: ${jobId}` : "Training Alerts", L.footer);

  const [t, d, f, ...rest] = fitTotal(
    [title, description, footer, ...names, ...values],
    L.total - muteSize,
  );
  const renderedNames = rest.slice(0, facts.length);
  const renderedValues = rest.slice(facts.length);

  const embed: DiscordEmbed = {
    title: t || "Alert",
    url: linkUrl(card, view),
    color: DISCORD_COLOURS[view.level],
    ...(d ? { description: d } : {}),
    fields: facts
      .map((fact, i) => ({
        name: renderedNames[i] || "—",
        value: renderedValues[i] || "—",
        inline: !fact.wide,
      }))
      .concat(muteField ? [muteField] : []),
    footer: { text: f || "Training Alerts" },
    ...(Number.isFinite(card.createdAt.getTime())
      ? { timestamp: card.createdAt.toISOString() }
      : {}),
  };
  return { allowed_mentions: { parse: [] }, embeds: [embed] };
}

/** Summary first, then the error's tail in a code block, then the hint: each only if it fits. */
function renderDescription(view: ReturnType<typeof cardView>, budget: number): string {
  // A 5000-character model name must not crowd the error out of the description.
  const summaryMax = view.details
    ? Math.min(budget, Math.max(200, Math.floor(budget / 3)))
    : budget;
  let out = fitEscaped(view.summary, summaryMax, escapeDiscord);
  if (view.details) {
    const label = `\n\n**${view.details.label}**\n`;
    const room = budget - out.length - label.length;
    // A code block shorter than this shows nothing useful.
    const block = room >= 60 ? codeBlock(view.details.text, room, escapeDiscordCode, 40) : "";
    if (block) out += label + block;
  }
  if (view.hint) {
    const hint = `\n\n💡 ${escapeDiscord(view.hint)}`;
    if (out.length + hint.length <= budget) out += hint;
  }
  return out;
}

/**
 * Renders every part within its own limit and all of them within `total`:
 * if they do not fit, finds the largest common cap C with
 * Σ min(length, C) ≤ total and re-renders only the parts longer than C.
 */
function fitTotal(parts: Part[], total: number): string[] {
  const natural = parts.map((p) => p.render(p.max));
  const lengths = natural.map((s) => s.length);
  if (lengths.reduce((a, b) => a + b, 0) <= total) return natural;
  const sorted = [...lengths].sort((a, b) => a - b);
  let cap = 0;
  let below = 0;
  for (let i = 0; i < sorted.length; i++) {
    const remaining = sorted.length - i;
    const candidate = Math.floor((total - below) / remaining);
    if (candidate < (sorted[i] ?? 0)) {
      cap = candidate;
      break;
    }
    below += sorted[i] ?? 0;
  }
  return parts.map((p, i) => ((lengths[i] ?? 0) <= cap ? (natural[i] ?? "") : p.render(cap)));
}

/** Exposed for tests of the cut: the embed's characters as Discord counts them. */
export function embedLength(embed: DiscordEmbed): number {
  return (
    embed.title.length +
    (embed.description?.length ?? 0) +
    embed.fields.reduce((n, f) => n + f.name.length + f.value.length, 0) +
    embed.footer.text.length
  );
}
