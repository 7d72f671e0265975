import type { SafePostResult } from "../../../security/safe-http";
import { formatNtfyGroup } from "../../formatters/group/ntfy.group";
import { formatNtfy } from "../../formatters/ntfy.formatter";
import type { Channel } from "../channel.types";
import { classifyHttp } from "../classify-http";
import { postJson } from "../post-json";
import { previewJson } from "../preview";
import { ntfyKind } from "./kind";
import { isNtfyRevoked, ntfyRetryAfter, ntfyTarget } from "./rules";

export interface NtfyRequest {
  /** The server's root: JSON publishing names the topic in the body. */
  endpoint: string;
  body: string;
}

/**
 * ntfy (ntfy.sh or a self-hosted server). The webhook URL is the topic's; an
 * access token, when set, is the webhook's secret and goes as
 * `Authorization: Bearer` (https://docs.ntfy.sh/publish/#access-tokens).
 * Pacing keeps within ntfy's default visitor limit: a burst of 60 requests,
 * then one every 5 s (`visitor-request-limit-burst`/`-replenish`,
 * https://docs.ntfy.sh/config/#rate-limiting).
 */
export const ntfyChannel: Channel<NtfyRequest, SafePostResult> = {
  kind: ntfyKind.type,
  format: (card, destination) => {
    const { endpoint, topic } = ntfyTarget(destination.address);
    return { endpoint, body: JSON.stringify({ topic, ...formatNtfy(card) }) };
  },
  formatGroup: (group, destination) => {
    const { endpoint, topic } = ntfyTarget(destination.address);
    return { endpoint, body: JSON.stringify({ topic, ...formatNtfyGroup(group) }) };
  },
  preview: (card) => previewJson(formatNtfy(card)),
  send: (payload, destination, io) =>
    postJson(
      payload.endpoint,
      payload.body,
      io,
      destination.secret ? { authorization: `Bearer ${destination.secret}` } : {},
    ),
  classify: (result) =>
    classifyHttp(result, {
      revoked: (status) => isNtfyRevoked(status),
      // 42908, the daily message quota, waits an hour; other 429s follow the schedule.
      retryAfterInBody: ntfyRetryAfter,
    }),
  pacing: { minIntervalMs: 5_000, burst: 60, maxInFlight: 4 },
};
