import type { SafePostResult } from "../../../security/safe-http";
import { formatSlackGroup } from "../../formatters/group/slack.group";
import { formatSlack } from "../../formatters/slack.formatter";
import type { Channel } from "../channel.types";
import { classifyHttp } from "../classify-http";
import { previewJson } from "../preview";
import { postWebhook, type WebhookPayload } from "../webhook.channel";
import { slackKind } from "./kind";

/** Slack incoming webhooks: Block Kit; about one message a second per webhook. */
export const slackChannel: Channel<WebhookPayload, SafePostResult> = {
  kind: slackKind.type,
  format: (card) => ({ body: JSON.stringify(formatSlack(card)) }),
  formatGroup: (group) => ({ body: JSON.stringify(formatSlackGroup(group)) }),
  preview: (card) => previewJson(formatSlack(card)),
  send: (payload, destination, io) => postWebhook(payload, destination, io),
  classify: (result) =>
    classifyHttp(result, {
      // Slack's answers for a webhook that was removed or whose channel is gone.
      revoked: (status, body) =>
        status === 404 || /no_service|channel_is_archived|invalid_token/.test(body),
    }),
  pacing: { minIntervalMs: 1_000, maxInFlight: 4 },
};
