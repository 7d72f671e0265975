/**
 * Glossary
 * - event: something that happened, reported by a producer (training server,
 *   resource monitor, database trigger, clock). Stored in the inbox before it
 *   is acknowledged; `event_id` makes a repeat a duplicate.
 * - alert: what an event becomes for one user once preferences, dedupe, quiet
 *   hours and rate limits have been applied; one `alert_history` row.
 * - channel: a way to reach the user — email, or one of their webhooks
 *   (Slack, Discord, generic signed JSON).
 * - delivery: one alert on one channel (one `alert_deliveries` row), with its
 *   attempts, status codes and errors.
 */

import { WEBHOOK_SECRET, WEBHOOK_TYPES, type WebhookType } from "./channels/kinds";

/** Every alert type, in the seed's order (SEED.md, Alert Types). */
export const ALERT_TYPES = [
  "job_started",
  "job_completed",
  "job_failed",
  "job_cancelled",
  "gpu_oom",
  "disk_warning",
  "timeout_warning",
  "daily_summary",
  "weekly_digest",
  // Added in the second round (DESIGN.md §6).
  "loss_diverged",
  "group_completed",
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/** Types a producer can report and a webhook can receive (reports are email only). */
export const EVENT_TYPES = [
  "job_started",
  "job_completed",
  "job_failed",
  "job_cancelled",
  "gpu_oom",
  "disk_warning",
  "timeout_warning",
  "loss_diverged",
  "group_completed",
] as const satisfies readonly AlertType[];
export type EventType = (typeof EVENT_TYPES)[number];

/** The preference/webhook column that switches each event type on. */
export const ALERT_FLAG = {
  job_started: "alert_job_started",
  job_completed: "alert_job_completed",
  job_failed: "alert_job_failed",
  job_cancelled: "alert_job_cancelled",
  gpu_oom: "alert_gpu_oom",
  disk_warning: "alert_disk_warning",
  timeout_warning: "alert_timeout_warning",
  loss_diverged: "alert_loss_diverged",
  group_completed: "alert_group_completed",
} as const satisfies Record<EventType, string>;
export type AlertFlag = (typeof ALERT_FLAG)[EventType];
export const ALERT_FLAGS = Object.values(ALERT_FLAG) as AlertFlag[];

/** The seed's defaults for the per-type flags (email and webhooks alike). */
export const DEFAULT_FLAGS: Record<AlertFlag, boolean> = {
  alert_job_started: false,
  alert_job_completed: true,
  alert_job_failed: true,
  alert_job_cancelled: false,
  alert_gpu_oom: true,
  alert_disk_warning: true,
  alert_timeout_warning: true,
  alert_loss_diverged: true,
  alert_group_completed: true,
};

/** The seed's quiet-hours defaults, for a user who enabled quiet hours without saving times. */
export const QUIET_HOURS_DEFAULTS = {
  start: "22:00:00",
  end: "08:00:00",
  timeZone: "UTC",
} as const;

/** Why an email delivery is skipped when the user has no address at all. */
export const NO_EMAIL_ADDRESS = "no email address: set email_address in your alert preferences";

export type { WebhookSecretKind } from "./channels/webhook-kind";
// The webhook kinds live in their channel folders (`kind.ts`), listed in channels/kinds.ts.
export { WEBHOOK_SECRET, WEBHOOK_TYPES, type WebhookType };

/** Statuses of an alert as a whole, as history shows them. */
export const ALERT_STATUSES = [
  "pending",
  "sent",
  "partial",
  "failed",
  "deferred",
  "suppressed",
  "skipped",
  /** The user muted its job, group or type (alert_mutes): recorded, never sent. */
  "muted",
] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** A user's preferences: the seed's `user_alert_preferences` row. */
export interface AlertPreferences extends Record<AlertFlag, boolean> {
  id: string;
  user_id: string;
  email_enabled: boolean;
  email_address: string | null;
  daily_summary_enabled: boolean;
  daily_summary_time: string;
  weekly_digest_enabled: boolean;
  weekly_digest_day: number;
  quiet_hours_enabled: boolean;
  quiet_hours_start: string;
  quiet_hours_end: string;
  timezone: string;
  /** Grouping window (DESIGN.md §6 "Grouping"); 0 turns grouping off. */
  group_window_seconds: number;
  created_at: Date;
  updated_at: Date;
}

/** A webhook as the API shows it: no secret, URL masked. */
export interface WebhookView extends Record<AlertFlag, boolean> {
  id: string;
  name: string;
  url: string;
  webhook_type: WebhookType;
  has_secret: boolean;
  enabled: boolean;
  disabled_reason: string | null;
  last_success_at: Date | null;
  last_failure_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  failure_count: number;
  created_at: Date;
  updated_at: Date;
}

/**
 * Alerts the system raises about itself; they are never rate limited.
 * `stall_resolved` goes only to the PagerDuty webhooks that got a job's
 * stall, to resolve its incident when the job progresses again.
 */
export const SYSTEM_ALERT_TYPES = [
  "rate_limit_notice",
  "webhook_disabled",
  "test",
  "stall_resolved",
] as const;
export type SystemAlertType = (typeof SYSTEM_ALERT_TYPES)[number];

/** Where an event came from. */
export type EventSource = "api" | "trigger" | "monitor" | "scheduler";

/** An event as the inbox holds it. */
export interface AlertEvent {
  id: string;
  type: EventType;
  user_id: string;
  job_id: string | null;
  occurred_at: Date;
  data: Record<string, unknown>;
  source: EventSource;
}

/** What processing decided for an event (`alert_events.outcome`). */
export type EventOutcome =
  | "alerted"
  | "deferred"
  | "suppressed"
  | "deduplicated"
  | "no_channels"
  | "below_threshold"
  | "unknown_user"
  | "muted"
  | "error";

/** A delivery's state (`alert_deliveries.status`). */
export type DeliveryStatus =
  | "pending"
  | "deferred"
  | "retrying"
  | "sending"
  | "delivered"
  | "failed"
  | "skipped"
  | "suppressed"
  /** Waiting in a batch (`group_batch_id`); its group message's outcome becomes its own. */
  | "grouped";

/**
 * Grouping (DESIGN.md §6; docs/grouping.md). A group is user × destination ×
 * alert type × the job's group label; `group_window_seconds` is the window.
 */
export const GROUPING = {
  /** `user_alert_preferences.group_window_seconds` default. */
  defaultWindowSeconds: 60,
  /** The largest window a user may choose (the migration's CHECK says the same). */
  maxWindowSeconds: 3600,
  /** Members a generic webhook's `alert.group` lists; `data.omitted` counts the rest. */
  genericMaxMembers: 100,
} as const;

/**
 * The `alert_history` type of a group message: one row per batch, whose one
 * delivery sends the batch's members as one message. Counted by the rate
 * limit like any message.
 */
export const GROUP_MESSAGE_TYPE = "alert_group";

/** Alert types that are never grouped: reports, group messages and the system's own notices. */
export const UNGROUPED_TYPES: readonly string[] = [
  GROUP_MESSAGE_TYPE,
  "daily_summary",
  "weekly_digest",
  "group_completed",
  ...SYSTEM_ALERT_TYPES,
];
