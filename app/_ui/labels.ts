import {
  type AlertFlag,
  type AlertStatus,
  type EventType,
  WEBHOOK_KINDS,
  type WebhookType,
} from "@/lib/alerts/client";

/** What each alert type is called in the UI, and one line on when it happens. */
export const EVENT_LABELS: Record<EventType, { label: string; explain: string }> = {
  job_started: { label: "Job started", explain: "A training job began running." },
  job_completed: {
    label: "Job completed",
    explain: "A job finished, with its duration, steps and final loss.",
  },
  job_failed: { label: "Job failed", explain: "A job stopped with an error; the alert quotes it." },
  job_cancelled: { label: "Job cancelled", explain: "A running job was cancelled." },
  gpu_oom: {
    label: "GPU out of memory",
    explain: "A job's logs show a CUDA out-of-memory error.",
  },
  disk_warning: {
    label: "Disk almost full",
    explain: "A training disk passed the usage threshold (at most once per disk per 6 hours).",
  },
  timeout_warning: {
    label: "Job stalled",
    explain: "A running job reported no progress for a while.",
  },
  loss_diverged: {
    label: "Loss diverged",
    explain:
      "A job reported a NaN or infinite loss (once per job), with the step and the last finite loss.",
  },
  group_completed: {
    label: "Sweep finished",
    explain:
      "Every job of a group (a sweep) finished: counts, the most common failure, the best loss and GPU-hours.",
  },
};

/** Labels for every type history can show, system notices included. */
export const TYPE_LABELS: Record<string, string> = {
  ...Object.fromEntries(Object.entries(EVENT_LABELS).map(([k, v]) => [k, v.label])),
  daily_summary: "Daily summary",
  weekly_digest: "Weekly digest",
  rate_limit_notice: "Rate limit notice",
  webhook_disabled: "Webhook disabled",
  stall_resolved: "Stall resolved",
  alert_group: "Group message",
  test: "Test",
};

export const typeLabel = (type: string) => TYPE_LABELS[type] ?? type;

export const flagOf = (type: EventType) => `alert_${type}` as AlertFlag;

export const STATUS_LABELS: Record<AlertStatus, string> = {
  pending: "Pending",
  sent: "Sent",
  partial: "Partly sent",
  failed: "Failed",
  deferred: "Deferred",
  suppressed: "Suppressed",
  skipped: "Skipped",
  muted: "Muted",
};

/** A delivery's states (`alert_deliveries.status`) beside the alert's own. */
export const DELIVERY_STATUS_LABELS: Record<string, string> = {
  ...STATUS_LABELS,
  delivered: "Delivered",
  sending: "Sending",
  retrying: "Retrying",
  grouped: "Grouped",
};

/** The services a webhook can reach, for prose: "Slack, Discord, …" (generic is "your own endpoint"). */
export const WEBHOOK_SERVICES = WEBHOOK_KINDS.filter((k) => k.type !== "generic")
  .map((k) => k.label)
  .join(", ");

/** What the UI calls each webhook type (its kind's `label`). */
export const WEBHOOK_TYPE_LABELS = Object.fromEntries(
  WEBHOOK_KINDS.map((k) => [k.type, k.label]),
) as Record<WebhookType, string>;

export const WEEKDAYS = [
  "Sunday",
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
] as const;
