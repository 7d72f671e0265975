import type { Queryable } from "../db/types";

/**
 * Retention (ALERTS_RETENTION_DAYS): a daily pass deletes what is older than
 * the setting, in batches of a bounded number of rows, each batch its own
 * short statement, so no lock is held for long and the workers go on between
 * batches.
 *
 * Idempotency: a producer's `event_id` (or `Idempotency-Key`) is remembered
 * by its inbox row, and a "once per job" rule by its dedupe claim. Once those
 * are deleted, the same key is new again. Both are therefore kept at least
 * `DEDUPE_MIN_DAYS` whatever the setting: a producer retrying for a week is
 * still one event. Events of a job that is still running are kept too: the
 * stall watch re-inserts a stall's event by its key, and a deleted one would
 * warn of the same stall twice.
 */

/** Dedupe keys (inbox rows, dedupe claims, report claims) live at least this long. */
export const DEDUPE_MIN_DAYS = 7;

/** Rows deleted per statement. Default of `runRetention`'s `batchSize`. */
export const RETENTION_BATCH = 1000;

/**
 * Delivery states still in the engine's hands; only the others are history.
 * `grouped`: a member waiting for its group message's outcome.
 */
const IN_FLIGHT = "('pending', 'deferred', 'retrying', 'sending', 'grouped')";

/**
 * One kind of row that retention deletes. `sql` deletes at most `$2` rows
 * older than `$1` (the cutoff) and answers them; with `usesNow`, `$3` is now.
 * `keep`: `retention` uses the setting, `dedupe` at least DEDUPE_MIN_DAYS.
 *
 * To add a table (e.g. a progress history), add a step here: the pass, its
 * batching and the tests' per-step counts pick it up. Order matters where a
 * row refers to another: deliveries go before the history they belong to.
 */
export interface RetentionStep {
  name: string;
  keep: "retention" | "dedupe";
  sql: string;
  usesNow?: true;
  /** The statement answers one row with `deleted` (its DELETE is a CTE), rather than a row count. */
  countsItself?: true;
}

export const RETENTION_STEPS: readonly RetentionStep[] = [
  {
    name: "deliveries",
    keep: "retention",
    sql: `delete from alert_deliveries where id in (
            select id from alert_deliveries
            where created_at < $1 and status not in ${IN_FLIGHT}
            order by created_at limit $2
            for update skip locked)`,
  },
  {
    name: "events",
    keep: "dedupe",
    sql: `delete from alert_events where id in (
            select e.id from alert_events e
            where e.processed_at is not null and e.received_at < $1
              and not exists (
                select 1 from training_jobs j where j.id = e.job_id and j.status = 'running')
            order by e.received_at limit $2
            for update of e skip locked)`,
  },
  {
    // An alert goes once none of its deliveries is left (they went above,
    // or are still in flight and keep it).
    name: "history",
    keep: "retention",
    sql: `delete from alert_history where id in (
            select h.id from alert_history h
            where h.created_at < $1
              and not exists (select 1 from alert_deliveries d where d.alert_id = h.id)
            order by h.created_at limit $2
            for update of h skip locked)`,
  },
  {
    // A group's batch (docs/grouping.md) goes once it is closed and neither
    // its members' deliveries nor its group message are left (they went
    // above, or are in flight and keep it). An open batch, whose members
    // wait for its message, is never deleted.
    name: "group_batches",
    keep: "retention",
    sql: `delete from alert_group_batches where id in (
            select b.id from alert_group_batches b
            where b.closed_at < $1
              and not exists (select 1 from alert_deliveries d where d.group_batch_id = b.id)
              and not exists (select 1 from alert_history h where h.id = b.message_alert_id)
            order by b.closed_at limit $2
            for update of b skip locked)`,
  },
  {
    // When a group's last message went out: the look-back reads it for at
    // most the window (≤ 1 h, GROUPING.maxWindowSeconds), so a day-old row
    // decides nothing; a group with no row starts a new window, as it would.
    name: "groups",
    keep: "retention",
    sql: `delete from alert_groups where (user_id, group_key) in (
            select user_id, group_key from alert_groups
            where last_message_at < $1
            order by last_message_at limit $2
            for update skip locked)`,
  },
  {
    // How far a label's sweep summaries reach. Only once no job carries the
    // label: without the row, the next summary would count the label's old
    // jobs again.
    name: "group_sweeps",
    keep: "retention",
    sql: `delete from alert_group_sweeps where (user_id, group_label) in (
            select s.user_id, s.group_label from alert_group_sweeps s
            where s.updated_at < $1
              and not exists (
                select 1 from training_jobs j
                where j.user_id = s.user_id and j.metadata ? 'group'
                  and alerts_group_label(j.metadata -> 'group') = s.group_label)
            order by s.updated_at limit $2
            for update of s skip locked)`,
  },
  {
    // A job's loss curve (training_job_progress), point by point, and the
    // per-job count the thinning relies on. A running job keeps its curve.
    name: "progress_points",
    keep: "retention",
    countsItself: true,
    sql: `with doomed as (
            select p.job_id, p.step from training_job_progress p
            join training_jobs j on j.id = p.job_id
            where p.at < $1 and j.status <> 'running'
            order by p.at limit $2
            for update of p skip locked
          ), gone as (
            delete from training_job_progress p using doomed d
            where p.job_id = d.job_id and p.step = d.step
            returning p.job_id
          ), counted as (
            update training_job_progress_counts c set points = c.points - g.n
            from (select job_id, count(*)::int as n from gone group by job_id) g
            where c.job_id = g.job_id
            returning 1
          )
          select count(*)::int as deleted from gone`,
  },
  {
    // A report run is the claim that sends a user's report once per period.
    name: "report_runs",
    keep: "dedupe",
    sql: `delete from report_runs where key in (
            select key from report_runs
            where created_at < $1 and status <> 'pending'
            order by created_at limit $2
            for update skip locked)`,
  },
  {
    // A claim that still holds (no expiry, or not yet expired) goes only by age.
    name: "dedupe_keys",
    keep: "dedupe",
    usesNow: true,
    sql: `delete from alert_dedupe where (user_id, key) in (
            select user_id, key from alert_dedupe
            where claimed_at < $1 and (expires_at is null or expires_at <= $3)
            order by claimed_at limit $2
            for update skip locked)`,
  },
];

export interface RetentionOptions {
  /** ALERTS_RETENTION_DAYS; 0 deletes nothing. */
  days: number;
  /** Rows per statement. Default RETENTION_BATCH. */
  batchSize?: number;
  /** Told after every batch (what it deleted), e.g. for logs or tests. */
  onBatch?: (step: string, deleted: number) => void;
}

export interface RetentionResult {
  /** Rows deleted, by step name. */
  deleted: Record<string, number>;
  /** Statements run (batches, including each step's last, short one). */
  batches: number;
}

/** The cutoff of each kind of step, for a pass at `now`. */
export function retentionCutoffs(now: Date, days: number): Record<RetentionStep["keep"], Date> {
  const dayMs = 24 * 3600_000;
  return {
    retention: new Date(now.getTime() - days * dayMs),
    dedupe: new Date(now.getTime() - Math.max(days, DEDUPE_MIN_DAYS) * dayMs),
  };
}

/** One retention pass at `now` (the injected clock); deletes until nothing old is left. */
export async function runRetention(
  db: Queryable,
  now: Date,
  { days, batchSize = RETENTION_BATCH, onBatch }: RetentionOptions,
): Promise<RetentionResult> {
  const result: RetentionResult = { deleted: {}, batches: 0 };
  if (days <= 0) return result;
  const cutoffs = retentionCutoffs(now, days);
  for (const step of RETENTION_STEPS) {
    let total = 0;
    for (;;) {
      const params = [cutoffs[step.keep], batchSize, ...(step.usesNow ? [now] : [])];
      const { rows, rowCount } = await db.query<{ deleted?: number }>(step.sql, params);
      const deleted = step.countsItself ? Number(rows[0]?.deleted ?? 0) : rowCount;
      result.batches++;
      total += deleted;
      onBatch?.(step.name, deleted);
      if (deleted < batchSize) break;
    }
    result.deleted[step.name] = total;
  }
  return result;
}
