import type { Queryable } from "../../db/types";

export const JOB_STATUSES = ["queued", "running", "completed", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

const TERMINAL: ReadonlySet<JobStatus> = new Set(["completed", "failed", "cancelled"]);

/**
 * Whether a job may move from `from` to `to`. Finished jobs stay finished
 * (repeating the same status is fine: producers retry); a job never goes back
 * to queued. Anything else is allowed, including queued → completed for jobs
 * too short to be seen running.
 */
export function transitionProblem(from: JobStatus, to: JobStatus): string | undefined {
  if (from === to) return undefined;
  if (TERMINAL.has(from)) return `the job is already ${from}; a finished job cannot become ${to}`;
  if (to === "queued") return `a ${from} job cannot go back to queued`;
  return undefined;
}

// The same text form the engine's stall dedupe key uses (lib/alerts/sql/alerts.ts).
const UTC_MICROS = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/**
 * The stall watch, in one statement for all jobs: every running job without
 * progress for its timeout (`metadata.timeout_minutes`, else the default)
 * gets a `timeout_warning` event in the inbox — once per stall, because the
 * idempotency key names the progress it followed; new progress re-arms it.
 * Answers how many warnings were raised.
 */
export async function sweepStalledJobs(
  db: Queryable,
  now: Date,
  defaultMinutes: number,
): Promise<number> {
  const { rowCount } = await db.query(
    `with stalled as (
       select j.*,
              case when j.metadata->>'timeout_minutes' ~ '^[0-9]{1,5}$'
                   then (j.metadata->>'timeout_minutes')::int else $2 end as timeout_minutes,
              to_char(j.last_progress_at at time zone 'UTC', ${UTC_MICROS}) as progress_key
       from training_jobs j
       where j.status = 'running' and j.last_progress_at is not null
     )
     insert into alert_events (idempotency_key, type, user_id, job_id, occurred_at, data, source, received_at)
     select 'stall:' || s.id || ':' || s.progress_key, 'timeout_warning', s.user_id, s.id, $1,
            jsonb_strip_nulls(jsonb_build_object(
              'model_name', s.model_name,
              'minutes_without_progress', floor(extract(epoch from $1::timestamptz - s.last_progress_at) / 60),
              'timeout_minutes', s.timeout_minutes,
              'current_step', s.current_step,
              'total_steps', s.total_steps,
              'last_progress_at', s.progress_key)),
            'monitor', $1
     from stalled s
     where s.timeout_minutes > 0
       and s.last_progress_at <= $1::timestamptz - make_interval(mins => s.timeout_minutes)
     on conflict do nothing`,
    [now, defaultMinutes],
  );
  return rowCount;
}
