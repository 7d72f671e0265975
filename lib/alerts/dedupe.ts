import type { AlertEvent } from "./alert.types";

const SIX_HOURS_MS = 6 * 60 * 60 * 1000;

export interface DedupeRule {
  /** What may alert only once, per user. */
  key: string;
  /** How long the claim holds; undefined: for ever. */
  ttlMs?: number;
}

/**
 * DESIGN.md §6: a job's job_* event once per job and type, whichever path
 * reports it; gpu_oom and loss_diverged once per job; timeout_warning once per stall (a stall
 * is identified by the last progress it followed, so progress re-arms it);
 * disk_warning at most once per path per 6 hours. Pure.
 */
export function dedupeRule(
  event: AlertEvent,
  lastProgressAt?: string | null,
): DedupeRule | undefined {
  switch (event.type) {
    case "job_started":
    case "job_completed":
    case "job_failed":
    case "job_cancelled":
      return event.job_id ? { key: `job:${event.job_id}:${event.type}` } : undefined;
    case "gpu_oom":
      return event.job_id ? { key: `oom:${event.job_id}` } : undefined;
    case "loss_diverged":
      return event.job_id ? { key: `loss:${event.job_id}` } : undefined;
    case "timeout_warning": {
      if (!event.job_id) return undefined;
      const stall =
        typeof event.data.last_progress_at === "string"
          ? event.data.last_progress_at
          : (lastProgressAt ?? "");
      return { key: `stall:${event.job_id}:${stall}` };
    }
    case "disk_warning": {
      const path = typeof event.data.disk_path === "string" ? event.data.disk_path : "";
      return { key: `disk:${path}`, ttlMs: SIX_HOURS_MS };
    }
  }
}
