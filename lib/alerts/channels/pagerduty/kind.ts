import type { AlertFlag } from "../../alert.types";
import { hostOf, type WebhookKind } from "../webhook-kind";

/**
 * PagerDuty pages people, so a PagerDuty webhook takes by default only what
 * needs someone now (job_failed, gpu_oom, timeout_warning, disk_warning),
 * plus job_completed, which never pages: it resolves the job's incident.
 * Types it does not page for (job_started, job_cancelled, loss_diverged,
 * group_completed) are off.
 */
const DEFAULT_FLAGS: Record<AlertFlag, boolean> = {
  alert_job_started: false,
  alert_job_completed: true,
  alert_job_failed: true,
  alert_job_cancelled: false,
  alert_gpu_oom: true,
  alert_disk_warning: true,
  alert_timeout_warning: true,
  // A diverged loss wastes the run but needs no one at night: chat and email tell of it.
  alert_loss_diverged: false,
  // A sweep summary is a report, not an incident.
  alert_group_completed: false,
};

const ENQUEUE = "https://events.pagerduty.com/v2/enqueue";

export const pagerDutyKind = {
  type: "pagerduty",
  label: "PagerDuty",
  secret: "routing-key",
  urlHint: `PagerDuty: ${ENQUEUE}; put the Events API v2 integration key in the secret.`,
  urlPlaceholder: ENQUEUE,
  defaultUrl: ENQUEUE,
  defaultFlags: DEFAULT_FLAGS,
  badge: { fill: "#06ac38", glyph: "P" },
  inferFrom: (url) => ["events.pagerduty.com", "events.eu.pagerduty.com"].includes(hostOf(url)),
} as const satisfies WebhookKind;
