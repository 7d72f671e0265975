import type { SafePostResult } from "../../../security/safe-http";
import { formatDiscord } from "../../formatters/discord.formatter";
import { formatDiscordGroup } from "../../formatters/group/discord.group";
import type { Channel } from "../channel.types";
import { classifyHttp } from "../classify-http";
import { previewJson } from "../preview";
import { postWebhook, type WebhookPayload } from "../webhook.channel";
import { discordKind } from "./kind";

/** Discord webhooks: embeds; about 30 messages a minute per channel. */
export const discordChannel: Channel<WebhookPayload, SafePostResult> = {
  kind: discordKind.type,
  format: (card) => ({ body: JSON.stringify(formatDiscord(card)) }),
  formatGroup: (group) => ({ body: JSON.stringify(formatDiscordGroup(group)) }),
  // Discord answers 204 with no body unless asked to wait; with it, errors carry codes.
  preview: (card) => previewJson(formatDiscord(card)),
  send: (payload, destination, io) =>
    postWebhook(payload, destination, io, withWait(destination.address)),
  classify: (result) =>
    classifyHttp(result, {
      // 10015: Unknown Webhook.
      revoked: (status, body) => status === 404 || /"code"\s*:\s*10015\b/.test(body),
      retryAfterInBody,
    }),
  pacing: { minIntervalMs: 2_000, maxInFlight: 4 },
};

function withWait(raw: string): string {
  try {
    const url = new URL(raw);
    url.searchParams.set("wait", "true");
    return url.toString();
  } catch {
    return raw;
  }
}

/** Discord's 429 says how long to wait in its JSON body: `{"retry_after": 1.5}` (seconds). */
function retryAfterInBody(body: string): number | undefined {
  try {
    const seconds = (JSON.parse(body) as { retry_after?: unknown }).retry_after;
    return typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0
      ? Math.ceil(seconds * 1000)
      : undefined;
  } catch {
    return undefined;
  }
}
