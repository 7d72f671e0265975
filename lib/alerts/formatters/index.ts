import type { WebhookType } from "../alert.types";
import type { AlertCard } from "./card";
import { formatDiscord } from "./discord.formatter";
import { formatGeneric } from "./generic.formatter";
import { formatSlack } from "./slack.formatter";

/** Picks the formatter for a webhook's type; the body is what gets signed and sent. */
export function formatWebhookBody(type: WebhookType, card: AlertCard): string {
  const payload =
    type === "slack"
      ? formatSlack(card)
      : type === "discord"
        ? formatDiscord(card)
        : formatGeneric(card);
  return JSON.stringify(payload);
}
