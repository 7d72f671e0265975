import type { Queryable } from "../../db/types";
import { isoUtc, jobFieldsJson } from "./job-json";

/** How many of a job's events and alerts its page shows (the newest). */
export const JOB_DETAIL_LIMITS = { events: 200, alerts: 200 } as const;

/**
 * One job with everything its page shows, in one statement: the job, its
 * progress points (oldest first; with `points`, at most that many, evenly
 * spaced and always with the first and last), its events and its alerts with
 * their deliveries. Undefined when the caller cannot see the job.
 */
export async function getJobDetail(
  db: Queryable,
  userId: string,
  jobId: string,
  opts: { points?: number; now: Date },
): Promise<Record<string, unknown> | undefined> {
  const { rows } = await db.query<DetailRow>(
    `with job as (
       select * from training_jobs j where j.id = $2 and j.user_id = $1
     ),
     pts as (
       select p.step, p.loss, p.at, p.metrics,
              row_number() over (order by p.step) as rn, count(*) over () as n
       from training_job_progress p join job on p.job_id = job.id
     ),
     kept as (
       select pts.*,
              -- the index bucket this point falls in, when downsampling to $3 points
              floor((rn - 1) * ($3::float8 - 1) / greatest(n - 1, 1)) as bucket
       from pts
     ),
     sampled as (
       select k.*, lag(bucket) over (order by rn) as prev_bucket from kept k
     ),
     recent_events as (
       select e.* from alert_events e join job on e.job_id = job.id and e.user_id = job.user_id
       order by e.occurred_at desc, e.id desc limit $5
     ),
     recent_alerts as (
       select h.* from alert_history h join job on h.job_id = job.id and h.user_id = job.user_id
       order by h.created_at desc, h.id desc limit $6
     )
     select ${jobFieldsJson("$4")} || jsonb_build_object(
       'user_id', j.user_id,
       'error', j.error,
       'metadata', j.metadata,
       'metrics', j.metrics,
       'gpu_hours', case when j.started_at is not null then round((greatest(0, extract(epoch from
           coalesce(j.finished_at, greatest($4::timestamptz, j.started_at)) - j.started_at))
           * j.gpu_count / 3600)::numeric, 2) end,
       'progress_count', (select count(*) from pts)
     ) as job,
     (select json_build_object(
         'step', array_agg(s.step order by s.step),
         'loss', array_agg(s.loss order by s.step),
         'at', array_agg(floor(extract(epoch from s.at) * 1000)::bigint order by s.step),
         'metrics', array_agg(s.metrics order by s.step))
       from sampled s
       where $3::int is null or s.n <= $3 or s.prev_bucket is null or s.bucket <> s.prev_bucket
     ) as points,
     json_build_object(
       'events', coalesce((
         select json_agg(json_build_object(
                  'id', e.id, 'type', e.type, 'occurred_at', ${isoUtc("e.occurred_at")},
                  'source', e.source, 'outcome', e.outcome, 'alert_id', e.alert_id, 'data', e.data)
                order by e.occurred_at, e.id)
         from recent_events e
       ), '[]'::json),
       'alerts', coalesce((
         select json_agg(json_build_object(
                  'id', h.id, 'alert_type', h.alert_type, 'title', h.title, 'message', h.message,
                  'status', h.status, 'data', h.data,
                  'deferred_until', ${isoUtc("h.deferred_until")},
                  'suppressed_reason', h.suppressed_reason,
                  'created_at', ${isoUtc("h.created_at")},
                  'deliveries', coalesce((
                    select json_agg(json_build_object(
                             'id', d.id, 'channel', d.channel, 'webhook_id', d.webhook_id,
                             'webhook_name', coalesce(w.name, d.webhook_name),
                             'status', d.status, 'attempts', d.attempts,
                             'last_status_code', d.last_status_code, 'last_error', d.last_error,
                             'next_attempt_at', ${isoUtc("d.next_attempt_at")},
                             'delivered_at', ${isoUtc("d.delivered_at")})
                           order by d.created_at, d.id)
                    from alert_deliveries d left join user_webhooks w on w.id = d.webhook_id
                    where d.alert_id = h.id
                  ), '[]'::json))
                order by h.created_at, h.id)
         from recent_alerts h
       ), '[]'::json)
     ) as lists
     from job j`,
    [
      userId,
      jobId,
      opts.points ?? null,
      opts.now,
      JOB_DETAIL_LIMITS.events,
      JOB_DETAIL_LIMITS.alerts,
    ],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { ...row.job, progress: toPoints(row.points), ...row.lists };
}

interface DetailRow {
  job: Record<string, unknown>;
  /** The points as columns: far cheaper to build than 2,000 JSON objects in SQL. */
  points: {
    step: number[] | null;
    loss: (number | string | null)[] | null;
    at: number[] | null;
    metrics: (Record<string, number> | null)[] | null;
  };
  lists: { events: unknown[]; alerts: unknown[] };
}

// PostgreSQL writes non-finite doubles in JSON as these strings.
const NON_FINITE: Record<string, string> = { NaN: "nan", Infinity: "inf", "-Infinity": "-inf" };

function toPoints(p: DetailRow["points"]) {
  const steps = p.step ?? [];
  return steps.map((step, i) => {
    const loss = p.loss?.[i] ?? null;
    return {
      step,
      loss: typeof loss === "string" ? (NON_FINITE[loss] ?? null) : loss,
      at: new Date(Number(p.at?.[i])).toISOString(),
      metrics: p.metrics?.[i] ?? null,
    };
  });
}
