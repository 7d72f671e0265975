import type { EncryptionKey } from "../../config/config";
import type { AlertCard } from "../formatters/card";
import type { Channel, ChannelIo, ChannelResult, Destination } from "./channel.types";
import { discordChannel } from "./discord/index";
import { emailChannel } from "./email/index";
import { genericChannel } from "./generic/index";
import type { WebhookType } from "./kinds";
import { mattermostChannel } from "./mattermost/index";
import { ntfyChannel } from "./ntfy/index";
import { OPERATOR_ERROR_PREFIX, openDestination, type StoredWebhook } from "./open-destination";
import { pagerDutyChannel } from "./pagerduty/index";
import { slackChannel } from "./slack/index";
import { teamsChannel } from "./teams/index";
import { telegramChannel } from "./telegram/index";

/**
 * The channel registry: every destination kind the engine can deliver to.
 * A webhook kind is a folder `channels/<kind>/` with its `Channel` (see
 * channel.types.ts) in `index.ts` and what the rest of the system knows of it
 * in `kind.ts` (listed in `kinds.ts`); once it is listed there, typecheck asks
 * for its line here. The worker, the pacing and the test endpoint find it by
 * `webhook_type` (or `email`).
 */
export const CHANNELS = {
  email: emailChannel,
  slack: slackChannel,
  discord: discordChannel,
  generic: genericChannel,
  teams: teamsChannel,
  telegram: telegramChannel,
  ntfy: ntfyChannel,
  pagerduty: pagerDutyChannel,
  mattermost: mattermostChannel,
} as const satisfies Record<"email" | WebhookType, AnyChannel>;

export type DestinationKind = keyof typeof CHANNELS;

/**
 * A channel whose payload and send result are its own business: format,
 * send and classify of one entry agree, and callers only pass one's output
 * to the next.
 */
// biome-ignore lint/suspicious/noExplicitAny: each entry has its own payload and result types.
type AnyChannel = Channel<any, any>;

/** The channel of a kind; undefined for a kind this build does not know. */
export function channelFor(kind: string): AnyChannel | undefined {
  return Object.hasOwn(CHANNELS, kind) ? CHANNELS[kind as DestinationKind] : undefined;
}

/**
 * A stored webhook ready to send: its kind's channel and its destination
 * opened (decrypted). A kind this build lacks or a row it cannot decrypt is
 * an operator error, answered as data (the worker records it and keeps the
 * delivery retrying; the test endpoint answers it), never thrown.
 */
export function openWebhook(
  keys: readonly EncryptionKey[],
  stored: StoredWebhook,
): { ok: true; channel: AnyChannel; destination: Destination } | { ok: false; error: string } {
  const channel = channelFor(stored.kind);
  if (!channel) {
    return {
      ok: false,
      error: `${OPERATOR_ERROR_PREFIX}this build has no "${stored.kind}" channel; deploy a version that has it`,
    };
  }
  const opened = openDestination(keys, stored);
  return opened.ok ? { ok: true, channel, destination: opened.destination } : opened;
}

/** What a kind would send for an alert, for the history page's preview; undefined for a kind this build lacks. */
export function previewAlert(kind: string, card: AlertCard): string | undefined {
  return channelFor(kind)?.preview(card);
}

/** Whether a kind has a grouped layout for this alert type (DESIGN.md §6 "Grouping"). */
export function groupsAlerts(kind: string, alertType: string): boolean {
  const channel = channelFor(kind);
  return channel?.formatGroup !== undefined && (channel.groupsType?.(alertType) ?? true);
}

/**
 * One attempt through a channel: format, send, classify. Failures are data:
 * an exception out of a channel (a bug) becomes a retry, recorded with its message.
 */
export async function attemptDelivery(
  channel: AnyChannel,
  card: AlertCard,
  destination: Destination,
  io: ChannelIo,
): Promise<ChannelResult> {
  const started = performance.now();
  try {
    const payload =
      card.group && channel.formatGroup
        ? channel.formatGroup(card.group, destination)
        : channel.format(card, destination);
    return channel.classify(await channel.send(payload, destination, io));
  } catch (error) {
    return {
      verdict: "retry",
      statusCode: null,
      error: `the ${channel.kind} channel failed: ${(error as Error).message}`,
      durationMs: Math.round(performance.now() - started),
    };
  }
}

export type {
  Channel,
  ChannelIo,
  ChannelResult,
  Destination,
  Pacing,
  Verdict,
} from "./channel.types";
export { emailDestination } from "./open-destination";
