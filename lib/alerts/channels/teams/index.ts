import type { SafePostResult } from "../../../security/safe-http";
import { formatTeamsGroup } from "../../formatters/group/teams.group";
import { formatTeams } from "../../formatters/teams.formatter";
import type { Channel } from "../channel.types";
import { classifyHttp } from "../classify-http";
import { previewJson } from "../preview";
import { postWebhook, type WebhookPayload } from "../webhook.channel";
import { teamsKind } from "./kind";
import { isTeamsRevoked } from "./rules";

/**
 * Microsoft Teams through a Workflows (Power Automate) webhook: an Adaptive
 * Card in a message attachment. Any 2xx is success (usually 202). Teams
 * throttles a webhook past about four requests a second
 * (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook);
 * one a second stays well clear.
 */
export const teamsChannel: Channel<WebhookPayload, SafePostResult> = {
  kind: teamsKind.type,
  format: (card) => ({ body: JSON.stringify(formatTeams(card)) }),
  formatGroup: (group) => ({ body: JSON.stringify(formatTeamsGroup(group)) }),
  preview: (card) => previewJson(formatTeams(card)),
  send: (payload, destination, io) => postWebhook(payload, destination, io),
  classify: (result) => classifyHttp(result, { revoked: isTeamsRevoked }),
  pacing: { minIntervalMs: 1_000, maxInFlight: 2 },
};
