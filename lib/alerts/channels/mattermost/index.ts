import type { SafePostResult } from "../../../security/safe-http";
import { formatMattermostGroup } from "../../formatters/group/mattermost.group";
import { formatMattermost } from "../../formatters/mattermost.formatter";
import type { Channel } from "../channel.types";
import { classifyHttp } from "../classify-http";
import { previewJson } from "../preview";
import { postWebhook, type WebhookPayload } from "../webhook.channel";
import { mattermostKind } from "./kind";
import { isMattermostRevoked } from "./rules";

/**
 * Mattermost incoming webhooks: Slack-compatible, but rendering attachments
 * rather than Block Kit. Servers limit per client IP only when the admin
 * turns rate limiting on (default then 10 requests a second,
 * https://docs.mattermost.com/configure/rate-limiting-configuration-settings.html);
 * 0.2 s apart stays under it.
 */
export const mattermostChannel: Channel<WebhookPayload, SafePostResult> = {
  kind: mattermostKind.type,
  format: (card) => ({ body: JSON.stringify(formatMattermost(card)) }),
  formatGroup: (group) => ({ body: JSON.stringify(formatMattermostGroup(group)) }),
  preview: (card) => previewJson(formatMattermost(card)),
  send: (payload, destination, io) => postWebhook(payload, destination, io),
  classify: (result) => classifyHttp(result, { revoked: isMattermostRevoked }),
  pacing: { minIntervalMs: 200, maxInFlight: 2 },
};
