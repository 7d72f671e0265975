import { EVENT_TYPES, GROUP_MESSAGE_TYPE, NO_EMAIL_ADDRESS } from "../alert.types";
import type { ChannelResult, HttpOptions } from "../channels/channel.types";
import type { EmailTransport } from "../channels/email.channel";
import { attemptDelivery, channelFor, emailDestination, openWebhook } from "../channels/index";
import type { AlertCard } from "../formatters/card";
import { loadGroupCard } from "../grouping/load-group-card";
import { MUTE_LINK_HOURS, MUTE_LINK_LIFETIME_MS, muteLinkUrl, signMuteGrant } from "../mute-link";
import type { ClaimedDelivery } from "../sql/claim-due-deliveries";
import type { DeliveryDeps } from "./delivery.types";

/** No send: the delivery has nowhere to go, and is recorded as skipped with `skipReason`. */
export type SendOutcome = ChannelResult | "skip";

/**
 * The card every formatter receives for a claimed delivery. With `muteKey`
 * (the encryption key that signs links), an alert about a job carries the
 * signed "Mute this job for 8 h" link, and one about an event type without a
 * job a link muting that type; the link works for a week from the alert.
 */
export function cardOf(d: ClaimedDelivery, appUrl: string, muteKey?: Buffer): AlertCard {
  // Built as one literal and the link added after: spreading an optional
  // `mute` in front of the other fields made V8 build a fresh hidden class
  // per card, on every delivery.
  const card: AlertCard = {
    id: d.alert_id,
    type: d.alert_type,
    title: d.title,
    message: d.message,
    jobId: d.job_id,
    data: d.data,
    createdAt: d.alert_created_at,
    appUrl,
  };
  const scope = d.job_id
    ? "job"
    : (EVENT_TYPES as readonly string[]).includes(d.alert_type)
      ? "type"
      : undefined;
  if (muteKey && scope) {
    const token = signMuteGrant(
      {
        userId: d.user_id,
        scope,
        value: scope === "job" ? (d.job_id ?? "") : d.alert_type,
        hours: MUTE_LINK_HOURS,
        expiresAt: new Date(d.alert_created_at.getTime() + MUTE_LINK_LIFETIME_MS),
      },
      muteKey,
    );
    card.mute = {
      url: muteLinkUrl(appUrl, token),
      label:
        scope === "job"
          ? `Mute this job for ${MUTE_LINK_HOURS} h`
          : `Mute these alerts for ${MUTE_LINK_HOURS} h`,
    };
  }
  return card;
}

/**
 * Sends one claimed delivery through its channel (the registry): the
 * destination is opened (decrypted) here, formatted, sent and classified.
 * Never throws: a URL that cannot be decrypted is an operator error, a
 * channel's exception a retry.
 */
export async function sendClaimed(deps: DeliveryDeps, d: ClaimedDelivery): Promise<SendOutcome> {
  let card = cardOf(d, deps.config.appUrl, deps.config.encryptionKeys[0]?.key);
  if (d.alert_type === GROUP_MESSAGE_TYPE && typeof d.data.batch_id === "string") {
    // The batch's window has ended: its members are fixed now and sent as one message.
    const group = await loadGroupCard(deps.db, {
      messageCard: card,
      batchId: d.data.batch_id,
      now: deps.clock(),
    });
    if (!group) return "skip";
    card = group;
  }
  const io = {
    deliveryId: d.id,
    now: deps.clock(),
    email: deps.email,
    http: httpOptions(deps),
  };
  if (d.channel === "email") {
    if (!d.email) return "skip";
    return attemptDelivery(
      channelFor("email") as NonNullable<ReturnType<typeof channelFor>>,
      card,
      emailDestination(d.email),
      io,
    );
  }
  if (!d.url || !d.webhook_type || d.webhook_enabled !== true || !d.webhook_id) return "skip";
  const opened = openWebhook(deps.config.encryptionKeys, {
    webhookId: d.webhook_id,
    kind: d.webhook_type,
    url: d.url,
    secret: d.secret,
  });
  if (!opened.ok) {
    deps.log.error(
      { delivery_id: d.id, webhook_id: d.webhook_id, err: opened.error },
      "cannot open a webhook",
    );
    deps.events?.emit("delivery:operator_error", { id: d.id, error: opened.error });
    return operatorError(opened.error);
  }
  return attemptDelivery(opened.channel, card, opened.destination, io);
}

/** An operator error as a channel result: retried, never charged to the webhook. */
export function operatorError(error: string): ChannelResult {
  return { verdict: "retry", operatorError: true, statusCode: null, error, durationMs: 0 };
}

export function httpOptions(deps: {
  config: DeliveryDeps["config"];
  webhookOptions?: Partial<HttpOptions>;
}): HttpOptions {
  return {
    allowHttp: deps.config.webhooks.allowHttp,
    allowedCidrs: deps.config.webhooks.allowedCidrs,
    ...deps.webhookOptions,
  };
}

export function skipReason(d: ClaimedDelivery): string {
  if (d.channel === "email") return NO_EMAIL_ADDRESS;
  return d.webhook_id
    ? "the webhook was disabled before this alert was sent"
    : "the webhook was deleted before this alert was sent";
}

export type { EmailTransport };
