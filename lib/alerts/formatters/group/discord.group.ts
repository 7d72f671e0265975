import type { GroupCard } from "../../grouping/group-card";
import { groupView } from "../../grouping/group-view";
import {
  DISCORD_COLOURS,
  DISCORD_LIMITS,
  type DiscordEmbed,
  type DiscordPayload,
  escapeDiscord,
} from "../discord.formatter";
import { fitEscaped, truncate } from "../fit";
import { packMembers } from "./member-list";

/** How much of a group a Discord message lists; the rest is "+K more". */
export const DISCORD_GROUP = {
  /** Members listed at most. */
  members: 25,
  name: 80,
  line: 160,
  /** The description's share of the embed's 6000 characters. */
  description: 4000,
} as const;

/** "• [mistral-7b](url) — torch.OutOfMemoryError: CUDA out of memory." */
function memberLine(m: { name: string; line?: string; url: string }): string {
  const name = `[${fitEscaped(truncate(m.name, DISCORD_GROUP.name), DISCORD_GROUP.name * 2, escapeDiscord)}](${m.url})`;
  const line = m.line
    ? ` — ${fitEscaped(truncate(m.line, DISCORD_GROUP.line), DISCORD_GROUP.line * 2, escapeDiscord)}`
    : "";
  return `• ${name}${line}`;
}

/**
 * A group message for a Discord webhook: one embed whose title is the
 * headline with count and type (linking to the history filtered to the
 * group), the summary and the newest members (model, key line, masked link)
 * in the description, "+K more" with the history link, and fields for the
 * count and the label. Every Discord limit holds for any batch: 25 fields,
 * 4096 description, 6000 characters in all. Pure.
 */
export function formatDiscordGroup(card: GroupCard): DiscordPayload {
  const view = groupView(card, DISCORD_GROUP.members);
  const L = DISCORD_LIMITS;
  const moreLine = (k: number) =>
    `\n\n+${k} more — [see all ${view.total} in history](${view.historyUrl})`;

  const { text: description } = packMembers({
    head: fitEscaped(view.summary, 600, escapeDiscord),
    lines: view.members
      .slice(0, DISCORD_GROUP.members)
      .map((m, i) => `${i === 0 ? "\n\n" : "\n"}${memberLine(m)}`),
    total: view.total,
    more: moreLine,
    max: DISCORD_GROUP.description,
  });

  const fields = [
    { name: "Alerts", value: String(view.total), inline: true },
    ...(card.label
      ? [{ name: "Group", value: fitEscaped(card.label, 256, escapeDiscord) || "—", inline: true }]
      : []),
  ];
  const embed: DiscordEmbed = {
    title: fitEscaped(view.headline, L.title, escapeDiscord) || "Alerts",
    url: view.historyUrl,
    color: DISCORD_COLOURS[view.level],
    description: description.slice(0, L.description),
    fields,
    footer: { text: `Group message ${card.id.slice(0, 8)}` },
    ...(Number.isFinite(card.windowEnd.getTime())
      ? { timestamp: card.windowEnd.toISOString() }
      : {}),
  };
  return { allowed_mentions: { parse: [] }, embeds: [embed] };
}
