import type { Queryable } from "../db/types";

export interface QueueGauges {
  deliveriesDue: number;
  oldestDueSeconds: number;
  inboxBacklog: number;
  oldestUnprocessedSeconds: number;
  deferred: number;
}

/** The gauges' one statement; `$1` is now. */
export const QUEUE_GAUGES_SQL = `with due as (
       select count(*) as n, min(next_attempt_at) as oldest
       from alert_deliveries
       where status in ('pending', 'deferred', 'retrying') and next_attempt_at <= $1
     ), inbox as (
       select count(*) as n, min(received_at) as oldest
       from alert_events where processed_at is null
     )
     select due.n as "deliveriesDue",
            coalesce(extract(epoch from $1::timestamptz - due.oldest), 0) as "oldestDueSeconds",
            inbox.n as "inboxBacklog",
            coalesce(extract(epoch from $1::timestamptz - inbox.oldest), 0) as "oldestUnprocessedSeconds",
            (select count(*) from alert_deliveries
              where status = 'deferred' and next_attempt_at > $1) as "deferred"
     from due, inbox`;

/**
 * The queue's state at `now`, in one statement (cheap enough for every
 * scrape of every process: each part reads the partial index its queue's
 * claim reads, idx_alert_deliveries_due and idx_alert_events_unprocessed).
 * A delivery is due as the claim sees it (pending, deferred or retrying, and
 * `next_attempt_at` has come) and not yet taken; `deferred` counts the ones
 * whose quiet hours have not ended.
 */
export async function readQueueGauges(db: Queryable, now: Date): Promise<QueueGauges> {
  const { rows } = await db.query<Record<keyof QueueGauges, string | number | null>>(
    QUEUE_GAUGES_SQL,
    [now],
  );
  const row = rows[0];
  const n = (v: string | number | null | undefined) => Math.max(0, Number(v ?? 0));
  return {
    deliveriesDue: n(row?.deliveriesDue),
    oldestDueSeconds: n(row?.oldestDueSeconds),
    inboxBacklog: n(row?.inboxBacklog),
    oldestUnprocessedSeconds: n(row?.oldestUnprocessedSeconds),
    deferred: n(row?.deferred),
  };
}
