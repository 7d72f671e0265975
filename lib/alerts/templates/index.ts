import type { AlertType, SystemAlertType } from "../alert.types";
import { dailySummary } from "./daily-summary";
import { diskWarning } from "./disk-warning";
import { gpuOom } from "./gpu-oom";
import { groupCompleted } from "./group-completed";
import { jobCancelled } from "./job-cancelled";
import { jobCompleted } from "./job-completed";
import { jobFailed } from "./job-failed";
import { jobStarted } from "./job-started";
import { lossDiverged } from "./loss-diverged";
import { rateLimitNotice } from "./rate-limit-notice";
import { stallResolved } from "./stall-resolved";
import type { AlertTemplate, AlertView } from "./template.types";
import { testAlert } from "./test-alert";
import { timeoutWarning } from "./timeout-warning";
import { webhookDisabled } from "./webhook-disabled";
import { weeklyDigest } from "./weekly-digest";

export type TemplateType = AlertType | SystemAlertType;

/** The template of every alert type. */
export const TEMPLATES: Record<TemplateType, AlertTemplate> = {
  job_started: jobStarted,
  job_completed: jobCompleted,
  job_failed: jobFailed,
  job_cancelled: jobCancelled,
  gpu_oom: gpuOom,
  disk_warning: diskWarning,
  timeout_warning: timeoutWarning,
  group_completed: groupCompleted,
  daily_summary: dailySummary,
  weekly_digest: weeklyDigest,
  loss_diverged: lossDiverged,
  rate_limit_notice: rateLimitNotice,
  webhook_disabled: webhookDisabled,
  stall_resolved: stallResolved,
  test: testAlert,
};

export const TEMPLATE_TYPES = Object.keys(TEMPLATES) as TemplateType[];

export const isTemplateType = (type: string): type is TemplateType =>
  Object.hasOwn(TEMPLATES, type);

/** The view of an alert of a known type. Pure. */
export function renderTemplate(
  type: TemplateType,
  data: Record<string, unknown>,
  jobId: string | null,
): AlertView {
  return TEMPLATES[type](data, jobId);
}
