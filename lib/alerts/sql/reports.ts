import type { Queryable } from "../../db/types";

export type ReportKind = "daily" | "weekly";

/** A report run the tick has just claimed, with what is needed to address it. */
export interface ClaimedReport {
  key: string;
  user_id: string;
  kind: ReportKind;
  /** The send date in the user's zone, `YYYY-MM-DD`. */
  local_date: string;
  /** The zone the period was computed in (an unknown stored zone reads as UTC). */
  timezone: string;
  due_at: Date;
  period_start: Date;
  period_end: Date;
  /** `pending`, or `no_channels` when the user has email off (nothing more to do). */
  status: "pending" | "no_channels";
  /** `email_address`, else the sign-in email; null when the user has neither. */
  address: string | null;
  quiet_hours_enabled: boolean | null;
  quiet_hours_start: string | null;
  quiet_hours_end: string | null;
  /** The user's stored zone, as quiet hours read it. */
  user_timezone: string | null;
}

/**
 * The scheduler's one statement: every user whose report time, in their own
 * zone, has come for a period not yet claimed — at most `catchUpHours` ago —
 * gets a `report_runs` row, claimed here exactly once.
 *
 * For each user with a report on, the local send dates looked at are today
 * and the day(s) before in the user's zone (enough to reach back
 * `catchUpHours`); each becomes an instant with
 * `(date + daily_summary_time) AT TIME ZONE zone`. PostgreSQL resolves a time
 * in a DST gap (02:30 on a spring-forward day) with the offset before the
 * jump (03:30 summer time), and an ambiguous fall-back time as standard time
 * (the second 01:30), so every local date has exactly one send instant; the
 * key carries the local date (daily) or ISO week of the send date (weekly),
 * so repeats of the tick, a second worker or a catch-up after downtime find
 * the key taken. The weekly digest is due on the dates whose weekday is
 * `weekly_digest_day` (0 = Sunday), at `daily_summary_time`.
 *
 * The period is the local day (week) before the send instant: from the same
 * local time one day (seven days) earlier — 24 hours, or 23/25 on a DST
 * change — so consecutive reports neither overlap nor leave a gap.
 */
export async function claimDueReports(
  db: Queryable,
  now: Date,
  catchUpHours: number,
  limit: number,
): Promise<ClaimedReport[]> {
  const { rows } = await db.query<ClaimedReport>(
    `with zones as materialized (
       select t.tz, alerts_report_zone(t.tz) as zone
       from (select distinct coalesce(timezone, 'UTC') as tz from user_alert_preferences
             where daily_summary_enabled or weekly_digest_enabled) t
     ),
     users as (
       select p.user_id, z.zone, coalesce(p.daily_summary_time, time '09:00') as at_time,
              p.daily_summary_enabled, p.weekly_digest_enabled, p.weekly_digest_day,
              ($1::timestamptz at time zone z.zone)::date as today
       from user_alert_preferences p
       join zones z on z.tz = coalesce(p.timezone, 'UTC')
       where p.daily_summary_enabled or p.weekly_digest_enabled
     ),
     candidates as (
       select u.user_id, k.kind, u.today - back.days as local_date, u.zone, u.at_time,
              ((u.today - back.days) + u.at_time) at time zone u.zone as due_at
       from users u
       cross join generate_series(0, ceil($2::int / 24.0)::int) back(days)
       cross join (values ('daily'), ('weekly')) k(kind)
       where (k.kind = 'daily' and u.daily_summary_enabled is true)
          or (k.kind = 'weekly' and u.weekly_digest_enabled is true
              and extract(dow from u.today - back.days) = u.weekly_digest_day)
     ),
     due as (
       select c.*,
              c.kind || ':' || c.user_id || ':' ||
                case c.kind when 'daily' then to_char(c.local_date, 'YYYY-MM-DD')
                            else to_char(c.local_date, 'IYYY-"W"IW') end as key
       from candidates c
       where c.due_at <= $1 and c.due_at > $1::timestamptz - make_interval(hours => $2::int)
     ),
     claimed as (
       insert into report_runs (key, user_id, kind, local_date, timezone, due_at,
                                period_start, period_end, status, created_at, finished_at)
       select d.key, d.user_id, d.kind, d.local_date, d.zone, d.due_at,
              ((d.local_date - case d.kind when 'daily' then 1 else 7 end) + d.at_time)
                at time zone d.zone,
              d.due_at,
              case when p.email_enabled is false then 'no_channels' else 'pending' end,
              $1,
              case when p.email_enabled is false then $1::timestamptz end
       from due d
       join user_alert_preferences p on p.user_id = d.user_id
       -- Cheaper than an insert that conflicts, for the ticks after the claim.
       where not exists (select 1 from report_runs r where r.key = d.key)
       order by d.due_at, d.key
       limit $3
       on conflict (key) do nothing
       returning key, user_id, kind, local_date, timezone, due_at, period_start, period_end, status
     )
     select c.key, c.user_id, c.kind, to_char(c.local_date, 'YYYY-MM-DD') as local_date,
            c.timezone, c.due_at, c.period_start, c.period_end, c.status,
            coalesce(nullif(p.email_address, ''), u.email) as address,
            p.quiet_hours_enabled, p.quiet_hours_start::text as quiet_hours_start,
            p.quiet_hours_end::text as quiet_hours_end, p.timezone as user_timezone
     from claimed c
     left join user_alert_preferences p on p.user_id = c.user_id
     left join auth.users u on u.id = c.user_id
     order by c.due_at, c.key`,
    [now, Math.round(catchUpHours), limit],
  );
  return rows;
}

/** Counts over one window of a report; every field is a number (0 when nothing happened). */
export interface ReportStatsRow {
  started: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Jobs started before the window's end and not finished by then. */
  running: number;
  /** Wall-clock training time inside the window (a job's run clipped to it). */
  training_seconds: number;
  /** Training time × `gpu_count`, in hours, inside the window. */
  gpu_hours: number;
  /** Jobs with a GPU out-of-memory report (events not dropped as duplicates). */
  ooms: number;
  stalls: number;
  disk_warnings: number;
  diverged: number;
  /** Alerts (other than reports) created in the window and delivered, wholly or partly. */
  alerts_sent: number;
  /** … held back by quiet hours at some point (sent since or still waiting). */
  alerts_deferred: number;
  /** … not sent because of the rate limit. */
  alerts_suppressed: number;
}

export interface ReportDayRow {
  /** The local date the day starts on, `YYYY-MM-DD`. */
  date: string;
  completed: number;
  failed: number;
  cancelled: number;
}

export interface ReportModelRow {
  model: string;
  runs: number;
  best_loss: number | null;
  /** Final losses of the model's completed jobs in finishing order (the last 12). */
  losses: number[];
}

export interface ReportFailureRow {
  job_id: string;
  model: string | null;
  /** The end of the error text (where tracebacks say what went wrong), at most 4000 chars. */
  error_tail: string | null;
  /** Local finishing time, `YYYY-MM-DD HH24:MI`. */
  finished_local: string;
}

export interface ReportDiskRow {
  path: string;
  percent: number | null;
}

/** Everything a report shows, computed for many runs at once. */
export interface ReportContentRow {
  key: string;
  /** Period bounds as local wall-clock readings, `YYYY-MM-DDTHH24:MI`. */
  start_local: string;
  end_local: string;
  totals: ReportStatsRow;
  /** Weekly only: the seven days before the period. */
  previous: ReportStatsRow | null;
  /** Weekly only: seven local days (from the period's start time), oldest first. */
  days: ReportDayRow[] | null;
  /** The models with completed jobs, most runs first (at most 8). */
  models: ReportModelRow[];
  models_total: number;
  /** The latest failures (at most 10; `totals.failed` says how many in all). */
  failures: ReportFailureRow[];
  disks: ReportDiskRow[];
}

export interface ReportPeriod {
  key: string;
  user_id: string;
  kind: ReportKind;
  period_start: Date;
  period_end: Date;
  timezone: string;
}

/** How many models and trend points a report carries. */
export const REPORT_LIMITS = { models: 8, lossPoints: 12, failures: 10, disks: 5 } as const;

/**
 * The content of many reports in one statement. Windows are the report's
 * period, and for weekly digests also the week before and each of the seven
 * days; jobs are counted by when they started or finished inside a window,
 * and their training time is clipped to it (a three-day run adds a day to
 * each daily summary, not three days to the one of the day it finished).
 * OOMs, stalls and disk warnings come from the event inbox, so they are
 * counted even when the user switched those alerts off; alert counts come
 * from alert_history. Each part is aggregated by report key and joined, so
 * the cost grows with the rows read, not with reports × rows.
 */
export async function loadReportContent(
  db: Queryable,
  periods: ReportPeriod[],
): Promise<ReportContentRow[]> {
  if (periods.length === 0) return [];
  const { rows } = await db.query<ReportContentRow>(
    `with runs as (
       select * from unnest($1::text[], $2::uuid[], $3::text[], $4::timestamptz[],
                            $5::timestamptz[], $6::text[])
         as r(key, user_id, kind, period_start, period_end, zone)
     ),
     windows as (
       select key, user_id, zone, 'current'::text as part, 0 as n,
              period_start as w_start, period_end as w_end
       from runs
       union all
       select key, user_id, zone, 'previous', 0,
              ((period_start at time zone zone) - interval '7 days') at time zone zone, period_start
       from runs where kind = 'weekly'
       union all
       select r.key, r.user_id, r.zone, 'day', d.n,
              ((r.period_start at time zone r.zone) + make_interval(days => d.n)) at time zone r.zone,
              case when d.n = 6 then r.period_end
                   else ((r.period_start at time zone r.zone) + make_interval(days => d.n + 1))
                          at time zone r.zone end
       from runs r cross join generate_series(0, 6) d(n)
       where r.kind = 'weekly'
     ),
     job_counts as (
       select w.key, w.part, w.n,
         count(*) filter (where j.started_at >= w.w_start and j.started_at < w.w_end)::int as started,
         count(*) filter (where j.status = 'completed' and j.finished_at >= w.w_start
                            and j.finished_at < w.w_end)::int as completed,
         count(*) filter (where j.status = 'failed' and j.finished_at >= w.w_start
                            and j.finished_at < w.w_end)::int as failed,
         count(*) filter (where j.status = 'cancelled' and j.finished_at >= w.w_start
                            and j.finished_at < w.w_end)::int as cancelled,
         count(*) filter (where j.started_at < w.w_end
                            and coalesce(j.finished_at, 'infinity'::timestamptz) >= w.w_end)::int as running,
         coalesce(sum(greatest(0, extract(epoch from
             least(coalesce(j.finished_at, w.w_end), w.w_end) - greatest(j.started_at, w.w_start))))
           filter (where j.started_at < w.w_end), 0)::float8 as seconds,
         coalesce(sum(greatest(0, extract(epoch from
             least(coalesce(j.finished_at, w.w_end), w.w_end) - greatest(j.started_at, w.w_start)))
             * j.gpu_count)
           filter (where j.started_at < w.w_end), 0)::float8 as gpu_seconds
       from windows w
       join training_jobs j on j.user_id = w.user_id
        and coalesce(j.finished_at, 'infinity'::timestamptz) >= w.w_start
        and coalesce(j.started_at, j.finished_at) < w.w_end
       group by w.key, w.part, w.n
     ),
     incident_counts as (
       select w.key, w.part,
         count(distinct coalesce(e.job_id, e.id)) filter (where e.type = 'gpu_oom')::int as ooms,
         count(*) filter (where e.type = 'timeout_warning')::int as stalls,
         count(*) filter (where e.type = 'disk_warning')::int as disk_warnings,
         count(distinct coalesce(e.job_id, e.id)) filter (where e.type = 'loss_diverged')::int as diverged
       from windows w
       join alert_events e on e.user_id = w.user_id
        and e.type in ('gpu_oom', 'timeout_warning', 'disk_warning', 'loss_diverged')
        and e.occurred_at >= w.w_start and e.occurred_at < w.w_end
        and coalesce(e.outcome, '') not in ('deduplicated', 'below_threshold', 'unknown_user')
       where w.part <> 'day'
       group by w.key, w.part
     ),
     alert_counts as (
       select w.key, w.part,
         count(*) filter (where a.status in ('sent', 'partial'))::int as alerts_sent,
         count(*) filter (where a.deferred_until is not null)::int as alerts_deferred,
         count(*) filter (where a.status = 'suppressed')::int as alerts_suppressed
       from windows w
       join alert_history a on a.user_id = w.user_id
        and a.created_at >= w.w_start and a.created_at < w.w_end
        and a.alert_type not in ('daily_summary', 'weekly_digest')
       where w.part <> 'day'
       group by w.key, w.part
     ),
     stats as (
       select w.key, w.part, w.n,
         case when w.part = 'day' then jsonb_build_object(
           'date', to_char(w.w_start at time zone w.zone, 'YYYY-MM-DD'),
           'completed', coalesce(j.completed, 0),
           'failed', coalesce(j.failed, 0),
           'cancelled', coalesce(j.cancelled, 0))
         else jsonb_build_object(
           'started', coalesce(j.started, 0),
           'completed', coalesce(j.completed, 0),
           'failed', coalesce(j.failed, 0),
           'cancelled', coalesce(j.cancelled, 0),
           'running', coalesce(j.running, 0),
           'training_seconds', round(coalesce(j.seconds, 0)),
           'gpu_hours', round((coalesce(j.gpu_seconds, 0) / 3600)::numeric, 2),
           'ooms', coalesce(i.ooms, 0),
           'stalls', coalesce(i.stalls, 0),
           'disk_warnings', coalesce(i.disk_warnings, 0),
           'diverged', coalesce(i.diverged, 0),
           'alerts_sent', coalesce(a.alerts_sent, 0),
           'alerts_deferred', coalesce(a.alerts_deferred, 0),
           'alerts_suppressed', coalesce(a.alerts_suppressed, 0)) end as s
       from windows w
       left join job_counts j on j.key = w.key and j.part = w.part and j.n = w.n
       left join incident_counts i on i.key = w.key and i.part = w.part
       left join alert_counts a on a.key = w.key and a.part = w.part
     ),
     stats_by_key as (
       select key,
         (array_agg(s) filter (where part = 'current'))[1] as totals,
         (array_agg(s) filter (where part = 'previous'))[1] as previous,
         jsonb_agg(s order by n) filter (where part = 'day') as days
       from stats group by key
     ),
     models as (
       select r.key, coalesce(nullif(btrim(j.model_name), ''), '(unnamed model)') as model,
         count(*)::int as runs,
         min(f.loss) as best_loss,
         array_agg(f.loss order by j.finished_at, j.id) filter (where f.loss is not null) as losses
       from runs r
       join training_jobs j on j.user_id = r.user_id and j.status = 'completed'
        and coalesce(j.finished_at, 'infinity'::timestamptz) >= r.period_start
        and j.finished_at < r.period_end
       -- A run's final loss: the job's own when finite, else its last finite progress point.
       left join lateral (
         select coalesce(
           case when j.loss not in ('NaN', 'Infinity', '-Infinity') then j.loss end,
           (select p.loss from training_job_progress p
            where p.job_id = j.id and p.loss not in ('NaN', 'Infinity', '-Infinity')
            order by p.step desc limit 1)) as loss
       ) f on true
       group by r.key, 2
     ),
     models_by_key as (
       select key, count(*)::int as models_total,
         jsonb_agg(jsonb_build_object(
             'model', left(model, 200), 'runs', runs, 'best_loss', best_loss,
             'losses', coalesce(to_jsonb(losses[greatest(1, cardinality(losses) - $7 + 1):]), '[]'::jsonb))
           order by rn) filter (where rn <= $8) as models
       from (select m.*, row_number() over (partition by key order by runs desc, model) as rn
             from models m) ranked
       group by key
     ),
     failures as (
       select r.key, j.id, j.model_name, right(j.error, 4000) as error_tail, j.finished_at, r.zone,
         row_number() over (partition by r.key order by j.finished_at desc, j.id) as rn
       from runs r
       join training_jobs j on j.user_id = r.user_id and j.status = 'failed'
        and coalesce(j.finished_at, 'infinity'::timestamptz) >= r.period_start
        and j.finished_at < r.period_end
     ),
     failures_by_key as (
       select key, jsonb_agg(jsonb_build_object(
           'job_id', id, 'model', left(model_name, 200), 'error_tail', error_tail,
           'finished_local', to_char(finished_at at time zone zone, 'YYYY-MM-DD HH24:MI'))
         order by rn) as failures
       from failures where rn <= $9
       group by key
     ),
     disks as (
       select r.key, left(e.data->>'disk_path', 300) as path,
         max(case when jsonb_typeof(e.data->'disk_used_percent') = 'number'
                  then (e.data->>'disk_used_percent')::float8 end) as percent
       from runs r
       join alert_events e on e.user_id = r.user_id and e.type = 'disk_warning'
        and e.occurred_at >= r.period_start and e.occurred_at < r.period_end
        and coalesce(e.outcome, '') not in ('deduplicated', 'below_threshold', 'unknown_user')
       where e.data->>'disk_path' is not null
       group by r.key, 2
     ),
     disks_by_key as (
       select key, jsonb_agg(jsonb_build_object('path', path, 'percent', percent)
                             order by percent desc nulls last, path) as disks
       from (select d.*, row_number() over (partition by key order by percent desc nulls last, path) as rn
             from disks d) ranked
       where rn <= $10
       group by key
     )
     select r.key,
       to_char(r.period_start at time zone r.zone, 'YYYY-MM-DD"T"HH24:MI') as start_local,
       to_char(r.period_end at time zone r.zone, 'YYYY-MM-DD"T"HH24:MI') as end_local,
       s.totals, s.previous, s.days,
       coalesce(m.models, '[]'::jsonb) as models, coalesce(m.models_total, 0) as models_total,
       coalesce(f.failures, '[]'::jsonb) as failures,
       coalesce(d.disks, '[]'::jsonb) as disks
     from runs r
     left join stats_by_key s on s.key = r.key
     left join models_by_key m on m.key = r.key
     left join failures_by_key f on f.key = r.key
     left join disks_by_key d on d.key = r.key`,
    [
      periods.map((p) => p.key),
      periods.map((p) => p.user_id),
      periods.map((p) => p.kind),
      periods.map((p) => p.period_start),
      periods.map((p) => p.period_end),
      periods.map((p) => p.timezone),
      REPORT_LIMITS.lossPoints,
      REPORT_LIMITS.models,
      REPORT_LIMITS.failures,
      REPORT_LIMITS.disks,
    ],
  );
  return rows;
}

/** Records what became of claimed runs: an alert, or skipped for want of activity. */
export async function finishReportRuns(
  db: Queryable,
  outcomes: { key: string; status: "alerted" | "skipped"; alertId: string | null }[],
  now: Date,
): Promise<void> {
  if (outcomes.length === 0) return;
  await db.query(
    `update report_runs r set status = o.status, alert_id = o.alert_id, finished_at = $4
     from unnest($1::text[], $2::text[], $3::uuid[]) as o(key, status, alert_id)
     where r.key = o.key`,
    [
      outcomes.map((o) => o.key),
      outcomes.map((o) => o.status),
      outcomes.map((o) => o.alertId),
      now,
    ],
  );
}
