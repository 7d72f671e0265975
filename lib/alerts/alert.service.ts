import { randomUUID } from "node:crypto";
import type { Config } from "../config/config";
import { isLostRace } from "../db/connection-errors";
import type { Db, Queryable } from "../db/types";
import {
  ALERT_FLAG,
  type AlertEvent,
  DEFAULT_FLAGS,
  type EventOutcome,
  GROUPING,
  type SystemAlertType,
} from "./alert.types";
import { dedupeRule } from "./dedupe";
import { isBelowDiskThreshold } from "./disk-threshold";
import { applyGrouping } from "./grouping/apply-grouping";
import { groupLabelOf } from "./grouping/group-key";
import type { AlertMetrics } from "./metrics.port";
import { type AlertPlan, type PlanRecipient, planAlert, resolveQuietHours } from "./planner";
import type { Clock, EngineEvents, EngineQueue, Logger } from "./ports";
import { quietHoursEnd } from "./quiet-hours";
import {
  claimDedupe,
  countSuppressedSinceNotice,
  type EventRecipient,
  loadEventRecipient,
  loadRecipient,
  lockUser,
  lockUsers,
  type Recipient,
} from "./sql/alerts";
import {
  claimEvents,
  type InboxPartition,
  markEventFailed,
  markEventsProcessed,
  type ProcessedEvent,
} from "./sql/events";
import { findMute } from "./sql/find-mute";
import { insertAlerts } from "./sql/insert-alerts";
import type { MuteRow } from "./sql/mute-row";
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
  /** Where counters go (`lib/metrics`); default nowhere. */
  metrics?: AlertMetrics;
}

/** An event that failed this often is closed with outcome "error" and kept for inspection. */
const MAX_EVENT_ATTEMPTS = 5;

/** Events one inbox pass takes; a pass that took fewer found the inbox empty. */
export const INBOX_BATCH = 50;

/**
 * Turns inbox events into alerts: one transaction per batch. Answers how
 * many events it looked at (0: the inbox is empty).
 *
 * The batch first runs without a savepoint per event (each costs two
 * statements). When an event throws, that whole attempt is rolled back and
 * the batch runs again with one savepoint per event, so the bad event is
 * marked failed (or, for a lost race, left in the inbox) and the others are
 * decided. Only the committed attempt wakes the queue, emits and counts.
 */
export async function processInbox(
  deps: EngineDeps,
  limit = INBOX_BATCH,
  partition?: InboxPartition,
): Promise<number> {
  let pass: InboxPass;
  try {
    pass = await deps.db.transaction((tx) => runInboxPass(tx, deps, { limit, partition }, false));
  } catch (error) {
    if (!(error instanceof EventThrew)) throw error;
    deps.log.debug(
      { err: error.cause, event_id: error.eventId },
      "an event threw; running the batch again, one savepoint per event",
    );
    pass = await deps.db.transaction((tx) => runInboxPass(tx, deps, { limit, partition }, true));
  }
  if (pass.wakeNeeded) deps.queue.wake();
  deps.events?.emit("inbox:processed", { processed: pass.count });
  if (deps.metrics) countProcessed(deps.metrics, pass.processed);
  return pass.count;
}

/** What a committed inbox pass did, for the effects outside its transaction. */
interface InboxPass {
  count: number;
  wakeNeeded: boolean;
  processed: { type: string; outcome: EventOutcome }[];
}

/** An event threw in a batch run without savepoints: the attempt is void, the batch runs again isolated. */
class EventThrew extends Error {
  constructor(
    readonly eventId: string,
    override readonly cause: unknown,
  ) {
    super(`event ${eventId} threw: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

/**
 * One attempt at a batch, inside `tx`. `isolated`: each event in its own
 * savepoint, a throwing event marked failed (or left for the next pass after
 * a lost race) while the others go on; otherwise the first throw ends the
 * attempt as `EventThrew`.
 */
async function runInboxPass(
  tx: Queryable,
  deps: EngineDeps,
  take: { limit: number; partition: InboxPartition | undefined },
  isolated: boolean,
): Promise<InboxPass> {
  const pass: InboxPass = { count: 0, wakeNeeded: false, processed: [] };
  const decided: ProcessedEvent[] = [];
  const events = await claimEvents(tx, take.limit, take.partition);
  pass.count = events.length;
  // Per-user order: dedupe claims and the rate-limit count must not race.
  // One statement for the batch, before any event's reads (each statement
  // reads its own snapshot, so the count sees what the lock waited for);
  // the claim is sorted by user, so every pass locks in the same order.
  await lockUsers(tx, usersToLock(events, deps.config));
  for (const event of events) {
    if (isolated) await tx.query("savepoint event");
    let result: ProcessResult;
    try {
      result = await processEvent(tx, event, deps);
      if (isolated) await tx.query("release savepoint event");
    } catch (error) {
      if (!isolated) throw new EventThrew(event.id, error);
      await tx.query("rollback to savepoint event");
      if (isLostRace(error)) {
        // Not the event's fault: it stays in the inbox for the next pass, uncounted.
        deps.log.warn({ err: error, event_id: event.id }, "event processing lost a race; retrying");
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
      continue;
    }
    pass.wakeNeeded ||= result.enqueued > 0;
    pass.processed.push({ type: event.type, outcome: result.outcome });
    decided.push({
      id: event.id,
      outcome: result.outcome,
      alertId: result.alertId,
      processedAt: result.processedAt,
    });
  }
  // The decided events close together, in the batch's transaction as their alerts.
  await markEventsProcessed(tx, decided);
  // One NOTIFY for the batch wakes workers in other processes at commit.
  if (pass.wakeNeeded) await deps.queue.notifyDeliveries(tx);
  return pass;
}

/**
 * The mute that holds for the event's alert, longest first: of the
 * recipient read's candidates, a type or job mute, or a group mute of the
 * alert's label. The candidates hold every group mute of the event's label
 * and of the job's as the database cleans it; a label the application
 * cleans differently (`cleanGroupLabel`) is looked up on its own.
 */
async function mutingMute(
  tx: Queryable,
  event: AlertEvent,
  recipient: EventRecipient,
  q: { eventLabel: string | null; label: string | null; now: Date },
): Promise<MuteRow | undefined> {
  if (q.label !== q.eventLabel && q.label !== recipient.job_group) {
    return findMute(tx, {
      userId: event.user_id,
      type: event.type,
      jobId: event.job_id,
      group: q.label,
      now: q.now,
    });
  }
  return recipient.mutes.find((m) => m.scope !== "group" || m.value === q.label);
}

/** The batch's users, once each and in the claim's (user) order; below-threshold events need no lock. */
function usersToLock(events: readonly AlertEvent[], config: Config): string[] {
  const users: string[] = [];
  for (const event of events) {
    if (isBelowDiskThreshold(event.type, event.data, config.diskThresholdPercent)) continue;
    if (users.at(-1) !== event.user_id) users.push(event.user_id);
  }
  return users;
}

/** Counts a committed batch: each event's outcome, and the alerts it wrote by their first status. */
function countProcessed(
  metrics: AlertMetrics,
  processed: { type: string; outcome: EventOutcome }[],
) {
  for (const { type, outcome } of processed) {
    metrics.eventProcessed(type, outcome);
    if (outcome === "alerted") metrics.alertCreated("pending");
    else if (outcome === "deferred" || outcome === "suppressed") metrics.alertCreated(outcome);
  }
}

export interface ProcessResult {
  outcome: EventOutcome;
  alertId: string | null;
  enqueued: number;
  /** The decision's time: the event's `processed_at`. */
  processedAt: Date;
}

/**
 * The AlertService decision for one event, inside the caller's transaction,
 * which holds the user's lock (`lockUsers`):
 * dedupe, preferences → channels, rate limit, quiet hours; then the history
 * row, one delivery row per channel, and the delivery jobs. The caller
 * records the outcome (`markEventsProcessed`, once for its batch) in the same
 * transaction, so a crash anywhere leaves either nothing (the event is
 * processed again) or everything. The caller notifies other processes' workers
 * (`queue.notifyDeliveries`) when `enqueued` > 0.
 */
export async function processEvent(
  tx: Queryable,
  event: AlertEvent,
  deps: EngineDeps,
): Promise<ProcessResult> {
  const { config } = deps;
  const now = deps.clock();
  const done = (outcome: EventOutcome, alertId: string | null = null, enqueued = 0) => ({
    outcome,
    alertId,
    enqueued,
    processedAt: now,
  });

  if (isBelowDiskThreshold(event.type, event.data, config.diskThresholdPercent)) {
    return done("below_threshold");
  }

  const eventLabel = groupLabelOf(event.data);
  const recipient = await loadEventRecipient(tx, {
    userId: event.user_id,
    type: event.type,
    jobId: event.job_id,
    eventLabel,
    now,
  });
  if (!recipient.present) return done("unknown_user");

  const rule = dedupeRule(event, recipient.last_progress_at);
  if (rule) {
    const expiresAt = rule.ttlMs ? new Date(now.getTime() + rule.ttlMs) : null;
    if (!(await claimDedupe(tx, event.user_id, rule.key, event.id, now, expiresAt))) {
      return done("deduplicated");
    }
  }

  const plan = planAlert(
    planRecipient(recipient, wantsEmail(recipient, event.type), recipient.webhook_ids),
    now,
  );
  if (plan.deliveries.length === 0) return done("no_channels");

  const { title, message } = alertText(event.type, event.data);
  const alert = {
    id: randomUUID(),
    userId: event.user_id,
    eventId: event.id,
    type: event.type,
    title,
    message,
    jobId: event.job_id,
    data: event.data,
  };

  // The group label: the same one for mutes and for the group key.
  const label = groupLabelOf(event.data, { group: recipient.job_group });
  // A mute the user set (a job, its group label, the type) holds: recorded
  // as muted, never delivered, not counted against the rate limit.
  const mute = await mutingMute(tx, event, recipient, { eventLabel, label, now });
  if (mute) {
    await insertAlerts(
      tx,
      [
        {
          ...alert,
          status: "muted",
          deferredUntil: null,
          suppressedReason: `muted (${mute.scope} ${mute.value}) until ${mute.muted_until.toISOString()}`,
          // Never delivered: no delivery rows, so nothing can ever send it.
          deliveries: [],
        },
      ],
      now,
    );
    return done("muted", alert.id);
  }

  const { recent } = recipient;
  if (recent.count >= config.rateLimitPerHour) {
    await insertAlerts(
      tx,
      [
        {
          ...alert,
          status: "suppressed",
          deferredUntil: null,
          suppressedReason: `rate limit: ${recent.count} alerts in the last hour (limit ${config.rateLimitPerHour})`,
          deliveries: plan.deliveries.map((d) => ({
            ...d,
            status: d.status === "skipped" ? "skipped" : "suppressed",
            nextAttemptAt: null,
          })),
        },
      ],
      now,
    );
    // The notice goes out when the oldest counted alert leaves the hour.
    const freeAt = (recent.oldest?.getTime() ?? now.getTime()) + 3600_000;
    await deps.queue.scheduleNotice(tx, event.user_id, (freeAt - now.getTime()) / 1000);
    return done("suppressed", alert.id);
  }

  const deliveries = withIds(plan);
  await insertAlerts(
    tx,
    [
      {
        ...alert,
        status: plan.status,
        deferredUntil: plan.deferredUntil,
        suppressedReason: null,
        deliveries,
      },
    ],
    now,
  );
  // Grouping (DESIGN.md §6): a delivery whose group sent a message within
  // the window waits in the group's batch instead of going out now.
  await groupDeliveries(tx, recipient, { ...alert, label }, deliveries, now);
  const enqueued = plan.deliveries.filter((d) => d.status === "pending").length;
  return done(plan.status === "deferred" ? "deferred" : "alerted", alert.id, enqueued);
}

/**
 * An alert the system raises about itself (a webhook was disabled, alerts
 * were suppressed): by email when the user has an address, or by email and
 * every enabled webhook, or to the given webhooks only (those still
 * enabled), about a job when `jobId` is set. Deferred by quiet hours like
 * every alert.
 */
export async function raiseSystemAlert(
  tx: Queryable,
  deps: EngineDeps,
  input: {
    userId: string;
    type: SystemAlertType;
    data: Record<string, unknown>;
    channels: "email" | "all" | { webhookIds: readonly string[] };
    jobId?: string;
  },
): Promise<{ alertId: string | null; enqueued: number }> {
  const recipient = await loadRecipient(tx, input.userId);
  const address = recipient.prefs?.email_address || recipient.auth_email;
  const now = deps.clock();
  const { channels } = input;
  const plan = planAlert(
    planRecipient(
      recipient,
      typeof channels === "string" && recipient.prefs?.email_enabled !== false && Boolean(address),
      channels === "all"
        ? recipient.webhook_ids
        : channels === "email"
          ? []
          : recipient.webhook_ids.filter((id) => channels.webhookIds.includes(id)),
    ),
    now,
  );
  if (plan.deliveries.length === 0) return { alertId: null, enqueued: 0 };
  const { title, message } = alertText(input.type, input.data);
  const id = randomUUID();
  const deliveries = withIds(plan);
  await insertAlerts(
    tx,
    [
      {
        id,
        userId: input.userId,
        eventId: null,
        type: input.type,
        title,
        message,
        jobId: input.jobId ?? null,
        data: input.data,
        status: plan.status,
        deferredUntil: plan.deferredUntil,
        suppressedReason: null,
        deliveries,
      },
    ],
    now,
  );
  await groupDeliveries(
    tx,
    recipient,
    { userId: input.userId, type: input.type, label: null },
    deliveries,
    now,
  );
  const enqueued = plan.deliveries.filter((d) => d.status === "pending").length;
  if (enqueued > 0) await deps.queue.notifyDeliveries(tx);
  return { alertId: id, enqueued };
}

type PlannedWithId = AlertPlan["deliveries"][number] & { id: string };

/** The plan's deliveries with ids chosen here, so grouping can refer to them in the same transaction. */
function withIds(plan: AlertPlan): PlannedWithId[] {
  return plan.deliveries.map((d) => ({ ...d, id: randomUUID() }));
}

/**
 * Grouping (DESIGN.md §6; docs/grouping.md) for an alert just written: each
 * delivery whose group sent a message within the user's window waits in the
 * group's batch instead of going out now (applyGrouping decides, per kind).
 */
async function groupDeliveries(
  tx: Queryable,
  recipient: Recipient,
  alert: { userId: string; type: string; label: string | null },
  deliveries: readonly PlannedWithId[],
  now: Date,
): Promise<void> {
  const prefs = recipient.prefs;
  const quiet = resolveQuietHours(quietHoursOf(recipient));
  await applyGrouping(tx, {
    userId: alert.userId,
    alertType: alert.type,
    label: alert.label,
    now,
    windowSeconds: prefs?.group_window_seconds ?? GROUPING.defaultWindowSeconds,
    quietUntil: (at) => (quiet ? quietHoursEnd(quiet, at) : undefined),
    deliveries: deliveries.map((d) => ({
      deliveryId: d.id,
      channel: d.channel,
      webhookId: d.webhookId,
      kind:
        d.channel === "email"
          ? "email"
          : (recipient.webhook_kinds[recipient.webhook_ids.indexOf(d.webhookId ?? "")] ??
            "generic"),
      status: d.status,
    })),
  });
}

/** Email for an event when `email_enabled` and the type's flag are on (the seed defaults when the user never saved preferences). */
function wantsEmail(recipient: Recipient, type: AlertEvent["type"]): boolean {
  const prefs = recipient.prefs;
  const flag = ALERT_FLAG[type];
  if (!prefs) return DEFAULT_FLAGS[flag];
  return prefs.email_enabled !== false && prefs[flag] === true;
}

/**
 * The planner's view of a recipient: `email_address` or else the auth email;
 * quiet hours when enabled. Webhooks carry no email address.
 */
function planRecipient(
  recipient: Recipient,
  email: boolean,
  webhookIds: readonly string[],
): PlanRecipient {
  const prefs = recipient.prefs;
  return {
    email,
    address: prefs?.email_address || recipient.auth_email,
    webhookIds,
    quietHours: quietHoursOf(recipient),
  };
}

/** The user's quiet hours as saved, when enabled (the planner fills in the defaults). */
function quietHoursOf(recipient: Recipient): PlanRecipient["quietHours"] {
  const prefs = recipient.prefs;
  return prefs?.quiet_hours_enabled
    ? { start: prefs.quiet_hours_start, end: prefs.quiet_hours_end, timeZone: prefs.timezone }
    : null;
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
