import { fact, present } from "./facts";
import {
  alertsWords,
  bestLossWords,
  formatChange,
  formatGpuHours,
  formatRate,
  formatTrainingTime,
  outcomeWords,
  periodLabel,
  type ReportData,
  type ReportStats,
  successRate,
} from "./report-data";
import type { AlertFact, AlertLevel, AlertLink } from "./template.types";

/** Facts and wording shared by the daily summary and the weekly digest. Pure. */

export const REPORT_LINK: AlertLink = { label: "View History", path: "/alerts/history" };

/** Red is for one failed job; a report with failures in it is amber, one with none green. */
export function reportLevel(s: ReportStats): AlertLevel {
  if (s.failed > 0 || s.ooms > 0 || s.stalls > 0 || s.disk_warnings > 0 || s.diverged > 0)
    return "warning";
  return s.completed > 0 ? "success" : "info";
}

/** One sentence: what finished, how well, and the compute it took. */
export function reportSentence(r: ReportData, lead: string): string {
  const t = r.totals;
  const finished = t.completed + t.failed + t.cancelled;
  const rate = successRate(t);
  const jobs = `${finished} ${finished === 1 ? "job" : "jobs"} finished`;
  const outcome = finished > 0 ? `${jobs} (${outcomeWords(t)})` : outcomeWords(t);
  const success = rate === undefined ? "" : `, ${Math.round(rate)}% success`;
  return `${lead}: ${outcome}${success}, ${formatGpuHours(t.gpu_hours)} GPU-hours.`;
}

/**
 * The facts chat platforms and the plain-text email show. With `previous`,
 * counts carry the change since last week: "14 (+3)".
 */
export function reportFacts(r: ReportData): AlertFact[] {
  const t = r.totals;
  const p = r.previous;
  const vs = (key: keyof ReportStats, text: string, digits = 0) =>
    p ? `${text} (${formatChange(t[key], p[key], digits)})` : text;
  const best = r.models.slice(0, 3).map(bestLossWords).join(", ");
  const failure = r.failures[0];
  return present(
    fact("Period", periodLabel(r), true),
    fact("Jobs started", vs("started", String(t.started))),
    fact("Completed", vs("completed", String(t.completed))),
    fact("Failed", vs("failed", String(t.failed))),
    fact("Cancelled", vs("cancelled", String(t.cancelled))),
    fact("Success rate", formatRate(t)),
    t.running > 0 ? fact("Still running", String(t.running)) : undefined,
    fact("Training time", formatTrainingTime(t.training_seconds)),
    fact("GPU-hours", vs("gpu_hours", formatGpuHours(t.gpu_hours), 1)),
    best ? fact("Best loss", best, true) : undefined,
    fact("GPU OOMs", String(t.ooms)),
    fact("Stalls", String(t.stalls)),
    fact("Disk warnings", String(t.disk_warnings)),
    t.diverged > 0 || (p?.diverged ?? 0) > 0
      ? fact("Diverged losses", vs("diverged", String(t.diverged)))
      : undefined,
    fact("Alerts", alertsWords(t), true),
    failure
      ? fact(
          r.failures.length > 1 ? "Latest failure" : "Failure",
          `${failure.model ?? "a job"}: ${failure.error ?? "no error given"}`,
          true,
        )
      : undefined,
  );
}
