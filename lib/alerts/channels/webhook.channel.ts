import type { SafePostResult } from "../../security/safe-http";
import type { ChannelIo, Destination } from "./channel.types";
import { postJson } from "./post-json";
import { signStandardWebhook } from "./signature";

/** A webhook's payload: the JSON body exactly as signed and sent. */
export interface WebhookPayload {
  body: string;
}

/**
 * POSTs a JSON body to a webhook destination (I/O only; never throws). With a
 * secret, Standard Webhooks headers sign it; without one, `webhook-id` alone
 * still lets a receiver dedupe. `url` overrides the destination's address
 * (Discord adds `?wait=true`).
 */
export async function postWebhook(
  payload: WebhookPayload,
  destination: Destination,
  io: ChannelIo,
  url = destination.address,
): Promise<SafePostResult> {
  const messageId = `msg_${io.deliveryId}`;
  const headers: Record<string, string> = { "webhook-id": messageId };
  if (destination.secret) {
    const ts = Math.floor(io.now.getTime() / 1000);
    headers["webhook-timestamp"] = String(ts);
    headers["webhook-signature"] = signStandardWebhook(
      destination.secret,
      messageId,
      ts,
      payload.body,
    );
  }
  return postJson(url, payload.body, io, headers);
}
