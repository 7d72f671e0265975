import type { SafePostResult } from "../../../security/safe-http";
import { formatGeneric } from "../../formatters/generic.formatter";
import { formatGenericGroup } from "../../formatters/group/generic.group";
import type { Channel } from "../channel.types";
import { classifyHttp } from "../classify-http";
import { previewJson } from "../preview";
import { postWebhook, type WebhookPayload } from "../webhook.channel";
import { genericKind } from "./kind";

/** Generic webhooks: `{ type, timestamp, data }`, signed with Standard Webhooks when a secret is set. Unpaced. */
export const genericChannel: Channel<WebhookPayload, SafePostResult> = {
  kind: genericKind.type,
  format: (card) => ({ body: JSON.stringify(formatGeneric(card)) }),
  formatGroup: (group) => ({ body: JSON.stringify(formatGenericGroup(group)) }),
  preview: (card) => previewJson(formatGeneric(card)),
  send: (payload, destination, io) => postWebhook(payload, destination, io),
  classify: (result) => classifyHttp(result),
  pacing: { minIntervalMs: 0, maxInFlight: 4 },
};
