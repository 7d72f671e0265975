import { randomUUID } from "node:crypto";
import type { Queryable } from "../db/types";
import type { EngineDeps } from "./alert.service";
import { planAlert } from "./planner";
import { insertAlerts, type NewAlertRow } from "./sql/insert-alerts";
import {
  type ClaimedReport,
  claimDueReports,
  finishReportRuns,
  loadReportContent,
  type ReportContentRow,
} from "./sql/reports";
import { alertText } from "./templates/alert-text";
import { hasActivity, type ReportData } from "./templates/report-data";
import { errorHeadline } from "./templates/text";

export interface ReportScheduleOptions {
  /** How long after its time a report missed during downtime still goes out. Default 12. */
  catchUpHours?: number;
  /** Reports claimed and built per transaction. Default 2000. */
  batchSize?: number;
}

export interface ReportTickResult {
  /** Report periods claimed by this tick (each exactly once, ever). */
  claimed: number;
  /** Reports written to history and queued (or deferred, or skipped for want of an address). */
  alerted: number;
  /** … of which held until the end of the user's quiet hours. */
  deferred: number;
  /** Periods with no activity: recorded, nothing sent. */
  skipped: number;
  /** Users with email off: recorded, nothing sent. */
  noChannels: number;
  /** Delivery jobs queued. */
  enqueued: number;
}

// A batch costs a scan of the users with reports on (the claim) plus its
// content; 2,000 keeps the 09:00 rush of 10,000 users to five transactions
// of about a second or two each (bench/reports.ts).
const DEFAULTS = { catchUpHours: 12, batchSize: 2000 };

/**
 * The scheduler's tick, at `now` (injected: tests drive it minute by minute
 * without cron). Claims every report that has come due (claimDueReports:
 * one set-based statement, exactly once per user and period), computes their
 * content in one more statement, and writes each report's history row, its
 * email delivery and the delivery job — all in the claim's transaction, so a
 * crash leaves either nothing (the next tick claims the period again) or
 * everything. Works in batches of `batchSize` reports per transaction, so
 * 9:00 for ten thousand users does not hold one huge transaction.
 *
 * Reports are email only. They honour `email_enabled` (off: no alert, the
 * run says `no_channels`), go to `email_address` or the sign-in email (with
 * neither, a skipped delivery says so, as for other alerts) and are deferred
 * by quiet hours like every alert. They are never rate limited: the user
 * asked for them, once a day.
 */
export async function scheduleDueReports(
  deps: EngineDeps,
  now: Date,
  options: ReportScheduleOptions = {},
): Promise<ReportTickResult> {
  const catchUpHours = options.catchUpHours ?? DEFAULTS.catchUpHours;
  const batchSize = Math.max(1, options.batchSize ?? DEFAULTS.batchSize);
  const total: ReportTickResult = {
    claimed: 0,
    alerted: 0,
    deferred: 0,
    skipped: 0,
    noChannels: 0,
    enqueued: 0,
  };
  for (;;) {
    const batch = await deps.db.transaction((tx) =>
      reportBatch(tx, deps, now, catchUpHours, batchSize),
    );
    if (batch.enqueued > 0) deps.queue.wake();
    for (const key of Object.keys(total) as (keyof ReportTickResult)[]) total[key] += batch[key];
    if (batch.claimed < batchSize) return total;
  }
}

async function reportBatch(
  tx: Queryable,
  deps: EngineDeps,
  now: Date,
  catchUpHours: number,
  limit: number,
): Promise<ReportTickResult> {
  const claimed = await claimDueReports(tx, now, catchUpHours, limit);
  const pending = claimed.filter((c) => c.status === "pending");
  const content = new Map(
    (
      await loadReportContent(
        tx,
        pending.map((c) => ({
          key: c.key,
          user_id: c.user_id,
          kind: c.kind,
          period_start: c.period_start,
          period_end: c.period_end,
          timezone: c.timezone,
        })),
      )
    ).map((row) => [row.key, row]),
  );

  const alerts: NewAlertRow[] = [];
  const outcomes: { key: string; status: "alerted" | "skipped"; alertId: string | null }[] = [];
  for (const run of pending) {
    const row = content.get(run.key);
    const data = row ? reportData(run, row) : undefined;
    if (!data || !hasActivity(data.totals)) {
      outcomes.push({ key: run.key, status: "skipped", alertId: null });
      continue;
    }
    const type = run.kind === "daily" ? "daily_summary" : "weekly_digest";
    const stored = data as unknown as Record<string, unknown>;
    const { title, message } = alertText(type, stored);
    const plan = planAlert(
      {
        email: true,
        address: run.address,
        webhookIds: [],
        quietHours: run.quiet_hours_enabled
          ? { start: run.quiet_hours_start, end: run.quiet_hours_end, timeZone: run.user_timezone }
          : null,
      },
      now,
    );
    const alertId = randomUUID();
    alerts.push({
      id: alertId,
      userId: run.user_id,
      eventId: null,
      type,
      title,
      message,
      jobId: null,
      data: stored,
      status: plan.status,
      deferredUntil: plan.deferredUntil,
      suppressedReason: null,
      deliveries: plan.deliveries,
    });
    outcomes.push({ key: run.key, status: "alerted", alertId });
  }

  await insertAlerts(tx, alerts, now);
  const ready = alerts.filter((a) => a.status === "pending").length;
  const deferred = alerts.filter((a) => a.status === "deferred").length;
  if (ready > 0) await deps.queue.notifyDeliveries(tx);
  await finishReportRuns(tx, outcomes, now);
  return {
    claimed: claimed.length,
    alerted: alerts.length,
    deferred,
    skipped: outcomes.length - alerts.length,
    noChannels: claimed.length - pending.length,
    enqueued: ready,
  };
}

/** What the report's history row stores (and the templates read: templates/report-data.ts). */
function reportData(run: ClaimedReport, row: ReportContentRow): ReportData | undefined {
  if (!row.totals) return undefined;
  return {
    kind: run.kind,
    timezone: run.timezone,
    // The key ends with the period: the local send date, or the ISO week.
    label: run.key.slice(run.key.lastIndexOf(":") + 1),
    start_local: row.start_local,
    end_local: row.end_local,
    totals: row.totals,
    ...(row.previous ? { previous: row.previous } : {}),
    ...(row.days ? { days: row.days } : {}),
    models: row.models,
    models_total: row.models_total,
    failures: row.failures.map((f) => ({
      job_id: f.job_id,
      model: f.model,
      error: errorHeadline(f.error_tail) ?? null,
      finished_local: f.finished_local,
    })),
    disks: row.disks,
  };
}
