import {
  type AlertStatus,
  type DeliveryStatus,
  NO_EMAIL_ADDRESS,
  QUIET_HOURS_DEFAULTS,
} from "./alert.types";
import { type QuietHours, quietHoursEnd } from "./quiet-hours";

/** Who an alert goes to, already narrowed to its type (flags applied by the caller's query). */
export interface PlanRecipient {
  /** Email is on for this alert (email_enabled and the type's flag). */
  email: boolean;
  /** `email_address`, else the sign-in email; null when the user has neither. */
  address: string | null;
  /** Enabled webhooks whose flag for the type is on. */
  webhookIds: readonly string[];
  /** The user's quiet hours, when enabled; missing fields take the seed's defaults. */
  quietHours: { start: string | null; end: string | null; timeZone: string | null } | null;
}

export interface PlannedDelivery {
  channel: "email" | "webhook";
  webhookId: string | null;
  status: Extract<DeliveryStatus, "pending" | "deferred" | "skipped">;
  lastError: string | null;
  /** When the delivery is due: now, or the end of the quiet hours; null when it is not to be sent. */
  nextAttemptAt: Date | null;
}

export interface AlertPlan {
  status: Extract<AlertStatus, "pending" | "deferred" | "skipped">;
  deferredUntil: Date | null;
  /** Empty when the user wants this alert on no channel (no alert is written then). */
  deliveries: PlannedDelivery[];
}

/**
 * What an alert becomes for its recipient, pure: one delivery per channel
 * (email, each webhook), deferred to the end of the quiet hours when `now`
 * falls inside them, and skipped (with the reason) where there is nowhere to
 * send. Events, system notices and reports all plan through here.
 */
export function planAlert(recipient: PlanRecipient, now: Date): AlertPlan {
  const deliveries: PlannedDelivery[] = [];
  if (recipient.email) {
    deliveries.push(
      recipient.address
        ? {
            channel: "email",
            webhookId: null,
            status: "pending",
            lastError: null,
            nextAttemptAt: now,
          }
        : {
            channel: "email",
            webhookId: null,
            status: "skipped",
            lastError: NO_EMAIL_ADDRESS,
            nextAttemptAt: null,
          },
    );
  }
  for (const webhookId of recipient.webhookIds)
    deliveries.push({
      channel: "webhook",
      webhookId,
      status: "pending",
      lastError: null,
      nextAttemptAt: now,
    });
  const sendable = deliveries.some((d) => d.status === "pending");
  const quiet = resolveQuietHours(recipient.quietHours);
  const quietUntil = sendable && quiet ? quietHoursEnd(quiet, now) : undefined;
  if (!quietUntil)
    return { status: sendable ? "pending" : "skipped", deferredUntil: null, deliveries };
  return {
    status: "deferred",
    deferredUntil: quietUntil,
    deliveries: deliveries.map((d) =>
      d.status === "pending" ? { ...d, status: "deferred", nextAttemptAt: quietUntil } : d,
    ),
  };
}

/** A recipient's quiet hours with the seed's defaults for the fields never saved; undefined when off. */
export function resolveQuietHours(q: PlanRecipient["quietHours"]): QuietHours | undefined {
  if (!q) return undefined;
  return {
    enabled: true,
    start: q.start ?? QUIET_HOURS_DEFAULTS.start,
    end: q.end ?? QUIET_HOURS_DEFAULTS.end,
    timeZone: q.timeZone ?? QUIET_HOURS_DEFAULTS.timeZone,
  };
}
