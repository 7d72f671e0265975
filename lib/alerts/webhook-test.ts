import type { Config } from "../config/config";
import type { ChannelResult } from "./channels/channel.types";
import { attemptDelivery, openWebhook } from "./channels/index";
import { httpOptions, operatorError } from "./delivery/send";
import type { Clock, Logger } from "./ports";
import { alertText } from "./templates/alert-text";

/** A sample job's numbers, so every formatter has something to show. */
const SAMPLE_DATA = {
  model_name: "example-model",
  duration_seconds: 9240,
  final_loss: 0.342,
  current_step: 5000,
  total_steps: 5000,
};

/**
 * Sends a sample alert to one webhook now, through the channel registry as
 * the worker does (open, format, send, classify), and answers the classified
 * result. Nothing is recorded: a test leaves the webhook's statistics alone.
 * A webhook that cannot be decrypted answers an operator error, logged.
 */
export async function testWebhook(
  deps: { config: Config; clock: Clock; log: Logger },
  target: { webhookId: string; url: string; secret: string | null; webhook_type: string },
  ids: { deliveryId: string; jobId: string },
): Promise<ChannelResult> {
  const now = deps.clock();
  const opened = openWebhook(deps.config.encryptionKeys, {
    webhookId: target.webhookId,
    kind: target.webhook_type,
    url: target.url,
    secret: target.secret,
  });
  if (!opened.ok) {
    deps.log.error(
      { webhook_id: target.webhookId, err: opened.error },
      "cannot open a webhook for its test",
    );
    return operatorError(opened.error);
  }
  return attemptDelivery(
    opened.channel,
    {
      id: ids.deliveryId,
      type: "test",
      ...alertText("test", {}),
      jobId: ids.jobId,
      data: SAMPLE_DATA,
      createdAt: now,
      appUrl: deps.config.appUrl,
    },
    opened.destination,
    { deliveryId: ids.deliveryId, now, http: httpOptions(deps) },
  );
}
