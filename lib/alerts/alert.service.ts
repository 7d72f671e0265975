import type { Config } from "../config/config";
import { isLostRace } from "../db/connection-errors";
import type { Db, Queryable } from "../db/types";
import {
  ALERT_FLAG,
  type AlertEvent,
  type AlertType,
  DEFAULT_FLAGS,
  type EventOutcome,
  type SystemAlertType,
} from "./alert.types";
import { dedupeRule } from "./dedupe";
import { diskThresholdFor } from "./event-outcome";
import type { Clock, EngineEvents, EngineQueue, Logger } from "./ports";
import { quietHoursEnd } from "./quiet-hours";
import {
  claimDedupe,
  countSuppressedSinceNotice,
  insertAlert,
  insertDeliveries,
  loadEventRecipient,
  loadRecipient,
  lockUser,
  type NewDelivery,
  type Recipient,
} from "./sql/alerts";
import { claimEvents, markEventFailed, markEventProcessed } from "./sql/events";
import { alertText } from "./templates/alert-text";

export interface EngineDeps {
  db: Db;
  config: Config;
  clock: Clock;
  log: Logger;
  /** Wake-ups and the rate-limit notice's delayed job. */
  queue: EngineQueue;
  /** Where the engine says what it did (tests and metrics listen); optional. */
  events?: EngineEvents;
}

/** An event that failed this often is closed with outcome "error" and kept for inspection. */
const MAX_EVENT_ATTEMPTS = 5;

/** Events one inbox pass takes; a pass that took fewer found the inbox empty. */
export const INBOX_BATCH = 50;

/**
 * Turns inbox events into alerts: one transaction per batch, one savepoint per
 * event. Answers how many events it looked at (0: the inbox is empty).
 */
export async function processInbox(deps: EngineDeps, limit = INBOX_BATCH): Promise<number> {
  let wakeNeeded = false;
  const count = await deps.db.transaction(async (tx) => {
    const events = await claimEvents(tx, limit);
    for (const event of events) {
      await tx.query("savepoint event");
      try {
        const result = await processEvent(tx, event, deps);
        wakeNeeded ||= result.enqueued > 0;
        await tx.query("release savepoint event");
      } catch (error) {
        await tx.query("rollback to savepoint event");
        if (isLostRace(error)) {
          // Not the event's fault: it stays in the inbox for the next pass, uncounted.
          deps.log.warn(
            { err: error, event_id: event.id },
            "event processing lost a race; retrying",
          );
          continue;
        }
        deps.log.error({ err: error, event_id: event.id }, "event processing failed");
        await markEventFailed(
          tx,
          event.id,
          (error as Error).message,
          deps.clock(),
          MAX_EVENT_ATTEMPTS,
        );
      }
    }
    // One NOTIFY for the batch wakes workers in other processes at commit.
    if (wakeNeeded) await deps.queue.notifyDeliveries(tx);
    return events.length;
  });
  if (wakeNeeded) deps.queue.wake();
  deps.events?.emit("inbox:processed", { processed: count });
  return count;
}

export interface ProcessResult {
  outcome: EventOutcome;
  alertId: string | null;
  enqueued: number;
}

/**
 * The AlertService decision for one event, inside the caller's transaction:
 * dedupe, preferences → channels, rate limit, quiet hours; then the history
 * row, one delivery row per channel, and the delivery jobs — all committed
 * together, so a crash anywhere leaves either nothing (the event is processed
 * again) or everything. The caller notifies other processes' workers
 * (`queue.notifyDeliveries`) when `enqueued` > 0.
 */
export async function processEvent(
  tx: Queryable,
  event: AlertEvent,
  deps: EngineDeps,
): Promise<ProcessResult> {
  const { config } = deps;
  const now = deps.clock();
  const done = async (outcome: EventOutcome, alertId: string | null = null, enqueued = 0) => {
    await markEventProcessed(tx, event.id, outcome, alertId, now);
    return { outcome, alertId, enqueued };
  };

  if (
    event.type === "disk_warning" &&
    typeof event.data.disk_used_percent === "number" &&
    event.data.disk_used_percent < diskThresholdFor(event.data, config.diskThresholdPercent)
  ) {
    return done("below_threshold");
  }

  // Per-user order: dedupe claims and the rate-limit count must not race.
  await lockUser(tx, event.user_id);
  const recipient = await loadEventRecipient(tx, event.user_id, event.type, event.job_id, now);
  if (!recipient.present) return done("unknown_user");

  const rule = dedupeRule(event, recipient.last_progress_at);
  if (rule) {
    const expiresAt = rule.ttlMs ? new Date(now.getTime() + rule.ttlMs) : null;
    if (!(await claimDedupe(tx, event.user_id, rule.key, event.id, now, expiresAt))) {
      return done("deduplicated");
    }
  }

  const channels = decideChannels(recipient, event);
  if (channels.length === 0) return done("no_channels");

  const { title, message } = alertText(event.type, event.data);
  const base = {
    userId: event.user_id,
    eventId: event.id,
    type: event.type,
    title,
    message,
    jobId: event.job_id,
    data: event.data,
  };

  const { recent } = recipient;
  if (recent.count >= config.rateLimitPerHour) {
    const alertId = await insertAlert(tx, {
      ...base,
      createdAt: now,
      status: "suppressed",
      deferredUntil: null,
      suppressedReason: `rate limit: ${recent.count} alerts in the last hour (limit ${config.rateLimitPerHour})`,
    });
    await insertDeliveries(
      tx,
      alertId,
      event.user_id,
      channels.map((c) => ({ ...c, status: c.status === "skipped" ? "skipped" : "suppressed" })),
      null,
      now,
    );
    // The notice goes out when the oldest counted alert leaves the hour.
    const freeAt = (recent.oldest?.getTime() ?? now.getTime()) + 3600_000;
    await deps.queue.scheduleNotice(tx, event.user_id, (freeAt - now.getTime()) / 1000);
    return done("suppressed", alertId);
  }

  const created = await createAlert(tx, deps, {
    ...base,
    recipient,
    channels,
    now,
    notify: false,
  });
  return done(created.deferred ? "deferred" : "alerted", created.alertId, created.enqueued);
}

interface CreateAlertInput {
  userId: string;
  eventId: string | null;
  type: AlertType | SystemAlertType;
  title: string;
  message: string;
  jobId: string | null;
  data: Record<string, unknown>;
  recipient: Recipient;
  channels: NewDelivery[];
  now: Date;
  /** NOTIFY other processes' workers (default); false when the caller does it once. */
  notify?: boolean;
}

/**
 * Writes an alert that is to be sent: deferred to the end of the user's quiet
 * hours when it falls inside them, otherwise its deliveries are enqueued in
 * this same transaction (the rows are the queue: due at once).
 */
async function createAlert(
  tx: Queryable,
  deps: EngineDeps,
  input: CreateAlertInput,
): Promise<{ alertId: string; deferred: boolean; enqueued: number }> {
  const prefs = input.recipient.prefs;
  const quietUntil = prefs?.quiet_hours_enabled
    ? quietHoursEnd(
        {
          enabled: true,
          start: prefs.quiet_hours_start ?? "22:00:00",
          end: prefs.quiet_hours_end ?? "08:00:00",
          timeZone: prefs.timezone ?? "UTC",
        },
        input.now,
      )
    : undefined;
  const sendable = input.channels.some((c) => c.status === "pending");
  const alertId = await insertAlert(tx, {
    userId: input.userId,
    eventId: input.eventId,
    type: input.type,
    title: input.title,
    message: input.message,
    jobId: input.jobId,
    data: input.data,
    status: !sendable ? "skipped" : quietUntil ? "deferred" : "pending",
    deferredUntil: quietUntil ?? null,
    suppressedReason: null,
    createdAt: input.now,
  });
  const rows = await insertDeliveries(
    tx,
    alertId,
    input.userId,
    input.channels.map((c) =>
      quietUntil && c.status === "pending" ? { ...c, status: "deferred" } : c,
    ),
    // The row is the queue: due now, or when the quiet hours end.
    quietUntil ?? input.now,
    input.now,
  );
  const ready = rows.filter((r) => r.status === "pending").length;
  if (ready > 0 && input.notify !== false) await deps.queue.notifyDeliveries(tx);
  return { alertId, deferred: quietUntil !== undefined && sendable, enqueued: ready };
}

/**
 * An alert the system raises about itself (a webhook was disabled, alerts
 * were suppressed): by email, or by email and every enabled webhook.
 */
export async function raiseSystemAlert(
  tx: Queryable,
  deps: EngineDeps,
  input: {
    userId: string;
    type: SystemAlertType;
    data: Record<string, unknown>;
    channels: "email" | "all";
  },
): Promise<{ alertId: string | null; enqueued: number }> {
  const recipient = await loadRecipient(tx, input.userId);
  const channels: NewDelivery[] = [];
  if (recipient.prefs?.email_enabled !== false) {
    const address = recipient.prefs?.email_address || recipient.auth_email;
    if (address) channels.push({ channel: "email", webhookId: null, status: "pending" });
  }
  if (input.channels === "all") {
    for (const id of recipient.webhook_ids)
      channels.push({ channel: "webhook", webhookId: id, status: "pending" });
  }
  if (channels.length === 0) return { alertId: null, enqueued: 0 };
  const { title, message } = alertText(input.type, input.data);
  const created = await createAlert(tx, deps, {
    userId: input.userId,
    eventId: null,
    type: input.type,
    title,
    message,
    jobId: null,
    data: input.data,
    recipient,
    channels,
    now: deps.clock(),
  });
  return { alertId: created.alertId, enqueued: created.enqueued };
}

/**
 * The rate-limit notice: once the hour allows, tell the user how many alerts
 * were suppressed since the last notice (nothing when none were).
 */
export async function sendRateLimitNotice(deps: EngineDeps, userId: string): Promise<number> {
  const result = await deps.db.transaction(async (tx) => {
    await lockUser(tx, userId);
    const suppressed = await countSuppressedSinceNotice(tx, userId);
    if (suppressed === 0) return { count: 0, enqueued: 0 };
    const notice = await raiseSystemAlert(tx, deps, {
      userId,
      type: "rate_limit_notice",
      data: { suppressed_count: suppressed, limit_per_hour: deps.config.rateLimitPerHour },
      channels: "all",
    });
    return { count: suppressed, enqueued: notice.enqueued };
  });
  if (result.enqueued > 0) deps.queue.wake();
  return result.count;
}

/**
 * Email when `email_enabled` and the type's flag are on (seed defaults when
 * the user never saved preferences), to `email_address` or the auth email;
 * each enabled webhook whose flag is on. Webhooks carry no email address.
 */
function decideChannels(recipient: Recipient, event: AlertEvent): NewDelivery[] {
  const prefs = recipient.prefs;
  const flag = ALERT_FLAG[event.type];
  const emailEnabled = prefs ? prefs.email_enabled !== false : true;
  const typeEnabled = prefs ? prefs[flag] === true : DEFAULT_FLAGS[flag];
  const channels: NewDelivery[] = [];
  if (emailEnabled && typeEnabled) {
    const address = prefs?.email_address || recipient.auth_email;
    channels.push(
      address
        ? { channel: "email", webhookId: null, status: "pending" }
        : {
            channel: "email",
            webhookId: null,
            status: "skipped",
            lastError: "no email address: set email_address in your alert preferences",
          },
    );
  }
  for (const id of recipient.webhook_ids)
    channels.push({ channel: "webhook", webhookId: id, status: "pending" });
  return channels;
}
