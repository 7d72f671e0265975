import type { LookupFunction } from "node:net";
import type { CidrRange } from "../../security/cidr-range";
import type { AlertCard } from "../formatters/card";
import type { GroupCard } from "../grouping/group-card";
import type { EmailTransport } from "./email.channel";

/**
 * The channel interface: how a destination kind plugs into the delivery
 * engine. One object per kind (`channels/<kind>/index.ts`), one line per kind
 * in the registry (`channels/index.ts`). The worker and the test endpoint both
 * go through it:
 *
 *   format(card, destination) → payload       pure: no network, no clock, no database
 *   preview(card) → text                      pure: what the history page shows of it
 *   send(payload, destination, io) → result   I/O only; never throws (failures are data)
 *   classify(result) → ChannelResult          pure: delivered | retry | failed | revoked
 *   pacing                                    spacing and in-flight cap per destination
 */
export interface Channel<Payload, SendResult> {
  readonly kind: string;
  format(card: AlertCard, destination: Destination): Payload;
  /**
   * Pure: a group message (DESIGN.md §6 "Grouping") for this kind. A kind
   * without it is never grouped: each of its alerts goes out on its own.
   */
  formatGroup?(group: GroupCard, destination: Destination): Payload;
  /**
   * Pure: whether alerts of this type are grouped here (default: all that
   * grouping takes). PagerDuty groups only what pages: a resolve names one
   * job's incident and must go out as that job's own event.
   */
  groupsType?(alertType: string): boolean;
  /**
   * Pure: what this kind sends for the alert, as text for the history page's
   * preview (no destination: nothing of its address or secret is shown).
   */
  preview(card: AlertCard): string;
  send(payload: Payload, destination: Destination, io: ChannelIo): Promise<SendResult>;
  classify(result: SendResult): ChannelResult;
  readonly pacing: Pacing;
}

/**
 * A destination opened for sending (`openDestination`): its secrets decrypted.
 * Never logged, never stored.
 */
export interface Destination {
  /** The registry key: `email`, or the webhook's `webhook_type`. */
  kind: string;
  /** The webhook's id; null for email. */
  webhookId: string | null;
  /** Where to send: the decrypted webhook URL, or the email address. */
  address: string;
  /**
   * The decrypted secret, or null. Generic webhooks sign with it (Standard
   * Webhooks); other kinds may treat it as a credential (a routing key, a
   * bearer token) that their `format` or `send` uses.
   */
  secret: string | null;
}

/** What a send may use besides its payload: everything outside the process goes through here. */
export interface ChannelIo {
  /** The delivery's id: stable across its retries (webhook-id `msg_<id>`, the mail's Message-ID). */
  deliveryId: string;
  /** The attempt's time (the webhook-timestamp header). */
  now: Date;
  /** The mail transport; absent where no email is sent (the webhook test endpoint). */
  email?: EmailTransport;
  http: HttpOptions;
}

export interface HttpOptions {
  allowHttp: boolean;
  /** ALERTS_WEBHOOK_ALLOWED_CIDRS, parsed by the configuration. */
  allowedCidrs: readonly CidrRange[];
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
  /** Tests inject a DNS resolver. */
  lookup?: LookupFunction;
}

export interface Pacing {
  /** Least time between two sends to one destination (all workers keep it, reserved in the database); 0: none. */
  minIntervalMs: number;
  /** Sends in flight at once to one destination in one worker. */
  maxInFlight: number;
  /**
   * Sends that may go at once after a quiet spell before `minIntervalMs`
   * applies (a token bucket refilled one send per interval, as ntfy's
   * visitor limit is). Default 1: every send keeps the interval.
   */
  burst?: number;
}

/** Replaces part of a destination before the next attempt (e.g. Telegram's migrated chat id). */
export interface DestinationUpdate {
  /** The new URL, encrypted and stored on the webhook by the recorder before the retry. */
  address?: string;
}

/** What classify decides about one attempt. */
export type Verdict =
  | { verdict: "delivered" }
  /**
   * Worth another attempt: after `afterMs` when the receiver asked for a
   * wait (Retry-After; at least the retry schedule's wait is kept), with
   * `updateDestination` when the receiver named a new address (retried at
   * once, not counted against the schedule).
   */
  | { verdict: "retry"; afterMs?: number; updateDestination?: DestinationUpdate }
  /** Permanent: the delivery fails; the webhook's failure_count counts it. */
  | { verdict: "failed" }
  /** The destination no longer exists (410, "unknown webhook"): the webhook is disabled at once. */
  | { verdict: "revoked" }
  /**
   * Not applicable: the destination takes no alerts of this kind (PagerDuty
   * and a job_started), so nothing was sent. The delivery ends `skipped`
   * with the reason in `error`; the webhook's health is untouched.
   */
  | { verdict: "skipped" };

/**
 * One attempt, classified: the verdict and what is recorded with it.
 * `operatorError` marks a failure that is the deployment's, not the
 * destination's (a URL that cannot be decrypted): it keeps retrying, shows
 * in /api/health, and never counts against the webhook.
 */
export type ChannelResult = Verdict & {
  /** The receiver's HTTP status (or SMTP reply code), when there was one. */
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  operatorError?: boolean;
};
