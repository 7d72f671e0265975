import { errorHeadline } from "../templates/text";

/** A job of a group, as the sweep summary reads it from `training_jobs`. */
export interface SweepJob {
  id: string;
  model_name: string | null;
  status: string;
  loss: number | null;
  error: string | null;
  gpu_count: number | null;
  started_at: Date | null;
  finished_at: Date | null;
  created_at: Date;
}

/** `group_completed`'s event data: what the template and generic webhooks read. */
export type SweepSummary = {
  group: string;
  jobs: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** The most common failure's headline, and how many failed jobs share it. */
  top_failure_reason?: string;
  top_failure_count?: number;
  /** The lowest final loss among completed jobs, and its job. */
  best_final_loss?: number;
  best_job_id?: string;
  best_model_name?: string;
  /** Σ GPUs × (finished − started), in hours, to 0.01. */
  gpu_hours: number;
  first_started_at?: string;
  last_finished_at?: string;
};

const FINISHED = new Set(["completed", "failed", "cancelled"]);

/**
 * DESIGN.md §6: a group's burst is finished when every job carrying its
 * label has finished and none of them started (or was created) within the
 * last `windowSeconds`. Pure.
 */
export function sweepFinished(
  jobs: readonly SweepJob[],
  now: Date,
  windowSeconds: number,
): boolean {
  if (jobs.length === 0) return false;
  const quietSince = now.getTime() - windowSeconds * 1000;
  return jobs.every(
    (j) =>
      FINISHED.has(j.status) &&
      (j.started_at ?? j.created_at).getTime() <= quietSince &&
      (j.finished_at === null || j.finished_at.getTime() <= now.getTime()),
  );
}

/**
 * Failure reasons that differ only in numbers (a rank, a size, an address)
 * are one reason: "CUDA out of memory. Tried to allocate 2.00 GiB" and
 * "… 1.50 GiB" count together.
 */
const reasonKey = (headline: string) => headline.replace(/\d+(?:\.\d+)?/g, "#").toLowerCase();

/**
 * What two variants of one reason say alike: their common start, cut back to
 * its last full sentence ("torch.OutOfMemoryError: CUDA out of memory.")
 * when there is one, so no job's own numbers speak for all of them.
 */
function sharedReason(a: string, b: string): string {
  if (a === b) return a;
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  const common = a.slice(0, n);
  const sentence = /^.*[.!?](?=\s|$)/.exec(common)?.[0];
  if (sentence && sentence.length >= 12) return sentence;
  return a;
}

/**
 * The sweep summary of a group's jobs (the burst's jobs): counts by
 * outcome, the most common failure reason, the best final loss among
 * completed jobs and which job had it, total GPU-hours. Ties go to the
 * earlier job, so the result does not depend on the input's order. Pure.
 */
export function summarizeSweep(group: string, jobs: readonly SweepJob[]): SweepSummary {
  const ordered = [...jobs].sort(
    (a, b) =>
      (a.started_at ?? a.created_at).getTime() - (b.started_at ?? b.created_at).getTime() ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const count = (status: string) => ordered.filter((j) => j.status === status).length;

  const reasons = new Map<string, { reason: string; count: number }>();
  for (const j of ordered) {
    if (j.status !== "failed") continue;
    const headline = errorHeadline(j.error) ?? "No error message";
    const key = reasonKey(headline);
    const seen = reasons.get(key);
    if (seen) {
      seen.count++;
      seen.reason = sharedReason(seen.reason, headline);
    } else reasons.set(key, { reason: headline, count: 1 });
  }
  let top: { reason: string; count: number } | undefined;
  for (const r of reasons.values()) if (!top || r.count > top.count) top = r;

  let best: SweepJob | undefined;
  for (const j of ordered) {
    if (j.status !== "completed" || j.loss === null || !Number.isFinite(j.loss)) continue;
    if (!best || j.loss < (best.loss as number)) best = j;
  }

  let gpuMs = 0;
  for (const j of ordered) {
    if (!j.started_at || !j.finished_at) continue;
    const ms = j.finished_at.getTime() - j.started_at.getTime();
    if (ms > 0) gpuMs += ms * Math.max(0, j.gpu_count ?? 1);
  }
  const started = ordered.map((j) => j.started_at).filter((d): d is Date => d !== null);
  const finished = ordered.map((j) => j.finished_at).filter((d): d is Date => d !== null);
  const min = (ds: Date[]) => new Date(Math.min(...ds.map((d) => d.getTime()))).toISOString();
  const max = (ds: Date[]) => new Date(Math.max(...ds.map((d) => d.getTime()))).toISOString();

  return {
    group,
    jobs: ordered.length,
    completed: count("completed"),
    failed: count("failed"),
    cancelled: count("cancelled"),
    ...(top ? { top_failure_reason: top.reason, top_failure_count: top.count } : {}),
    ...(best
      ? {
          best_final_loss: best.loss as number,
          best_job_id: best.id,
          ...(best.model_name ? { best_model_name: best.model_name } : {}),
        }
      : {}),
    gpu_hours: Math.round(gpuMs / 36_000) / 100,
    ...(started.length > 0 ? { first_started_at: min(started) } : {}),
    ...(finished.length > 0 ? { last_finished_at: max(finished) } : {}),
  };
}
