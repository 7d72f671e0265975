import type { GroupCard } from "../../grouping/group-card";
import { formatDiscordGroup } from "./discord.group";
import { formatGenericGroup } from "./generic.group";
import { formatSlackGroup } from "./slack.group";

export { formatEmailGroup } from "./email.group";

/**
 * The group message's body for a webhook type with a grouped layout (what
 * the channels' `formatGroup` sends). Which kinds are grouped is the channel
 * registry's to say: those whose channel has `formatGroup`.
 */
export function formatGroupWebhookBody(
  type: "slack" | "discord" | "generic",
  card: GroupCard,
): string {
  const payload =
    type === "slack"
      ? formatSlackGroup(card)
      : type === "discord"
        ? formatDiscordGroup(card)
        : formatGenericGroup(card);
  return JSON.stringify(payload);
}
