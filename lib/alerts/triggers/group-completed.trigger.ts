import type { Queryable } from "../../db/types";
import { type SweepJob, summarizeSweep } from "../grouping/sweep-summary";

/** Groups summarised per pass at most; a pass that finds this many runs again next tick. */
const SWEEP_BATCH = 100;

interface FinishedGroup {
  user_id: string;
  label: string;
  /** The newest job of the burst, at microsecond precision: where the next burst starts. */
  cutoff: string;
  jobs: {
    id: string;
    model_name: string | null;
    status: string;
    loss: number | string | null;
    error: string | null;
    gpu_count: number | null;
    started_at: string | null;
    finished_at: string | null;
    created_at: string;
  }[];
}

const UTC_MICROS = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/**
 * The sweep summary (DESIGN.md §6, `group_completed`): every group label
 * whose jobs have all finished, none of them started within the user's
 * `group_window_seconds`, and with jobs created since its last summary (a new
 * burst) gets one `group_completed` event in the inbox, its data the burst's
 * summary (summarizeSweep). Once per burst: the idempotency key names the
 * burst's newest job, and `alert_group_sweeps` remembers how far each
 * label's summaries reach, so concurrent or repeated sweeps are harmless.
 * A burst whose last job finished more than a day ago is not summarised.
 * Answers how many summaries were raised.
 */
export async function raiseFinishedSweeps(db: Queryable, now: Date): Promise<number> {
  const { rows } = await db.query<FinishedGroup>(
    `with labelled as (
       select j.*, alerts_group_label(j.metadata -> 'group') as label
       from training_jobs j
       where j.metadata ? 'group'
     ),
     finished as (
       select l.user_id, l.label, coalesce(s.summarized_until, '-infinity'::timestamptz) as since,
              max(l.created_at) as cutoff
       from labelled l
       left join alert_group_sweeps s on s.user_id = l.user_id and s.group_label = l.label
       left join user_alert_preferences p on p.user_id = l.user_id
       where l.label is not null
       group by l.user_id, l.label, s.summarized_until, p.group_window_seconds
       having bool_and(l.status in ('completed', 'failed', 'cancelled'))
          and max(l.created_at) > coalesce(s.summarized_until, '-infinity'::timestamptz)
          and max(coalesce(l.started_at, l.created_at))
              <= $1::timestamptz - make_interval(secs => coalesce(p.group_window_seconds, 60))
          -- Bursts that ended long ago (before an upgrade, say) are history, not news.
          and max(l.finished_at) > $1::timestamptz - interval '1 day'
       order by max(l.created_at)
       limit $2
     )
     select f.user_id, f.label, to_char(f.cutoff at time zone 'UTC', ${UTC_MICROS}) as cutoff,
            json_agg(json_build_object(
              'id', l.id, 'model_name', l.model_name, 'status', l.status, 'loss', l.loss,
              'error', l.error, 'gpu_count', l.gpu_count, 'started_at', l.started_at,
              'finished_at', l.finished_at, 'created_at', l.created_at)) as jobs
     from finished f
     join labelled l on l.user_id = f.user_id and l.label = f.label and l.created_at > f.since
     group by f.user_id, f.label, f.cutoff`,
    [now, SWEEP_BATCH],
  );
  if (rows.length === 0) return 0;

  const summaries = rows.map((g) => summarizeSweep(g.label, g.jobs.map(toSweepJob)));
  const { rows: raised } = await db.query<{ n: number }>(
    `with input as (
       select * from unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::jsonb[])
         as t(user_id, label, cutoff, cutoff_text, data)
     ),
     keyed as (
       select i.*, 'sweep:' || i.user_id || ':' || md5(i.label) || ':' || i.cutoff_text as key
       from input i
     ),
     events as (
       insert into alert_events (idempotency_key, type, user_id, job_id, occurred_at, data, source, received_at)
       select k.key, 'group_completed', k.user_id, null, $6, k.data, 'monitor', $6 from keyed k
       on conflict (idempotency_key) do nothing
       returning id, idempotency_key
     ),
     reached as (
       insert into alert_group_sweeps (user_id, group_label, summarized_until, event_id, updated_at)
       select k.user_id, k.label, k.cutoff, e.id, $6
       from keyed k left join events e on e.idempotency_key = k.key
       on conflict (user_id, group_label) do update set
         summarized_until = greatest(alert_group_sweeps.summarized_until, excluded.summarized_until),
         event_id = coalesce(excluded.event_id, alert_group_sweeps.event_id),
         updated_at = excluded.updated_at
     )
     select count(*)::int as n from events`,
    [
      rows.map((g) => g.user_id),
      rows.map((g) => g.label),
      rows.map((g) => g.cutoff),
      rows.map((g) => g.cutoff),
      summaries.map((s) => JSON.stringify(s)),
      now,
    ],
  );
  return raised[0]?.n ?? 0;
}

/** A job as json_build_object wrote it: timestamps as text, a NaN loss as the string "NaN". */
function toSweepJob(j: FinishedGroup["jobs"][number]): SweepJob {
  const date = (s: string | null) => (s === null ? null : new Date(s));
  return {
    id: j.id,
    model_name: j.model_name,
    status: j.status,
    loss: typeof j.loss === "number" ? j.loss : null,
    error: j.error,
    gpu_count: j.gpu_count,
    started_at: date(j.started_at),
    finished_at: date(j.finished_at),
    created_at: new Date(j.created_at),
  };
}
