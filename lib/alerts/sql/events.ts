import type { Queryable } from "../../db/types";
import { EVENT_USER_SQL } from "../../db/users";
import type { AlertEvent, EventOutcome, EventSource, EventType } from "../alert.types";

export interface NewEvent {
  id: string;
  idempotencyKey: string | null;
  type: EventType;
  userId: string;
  jobId: string | null;
  occurredAt: Date;
  data: Record<string, unknown>;
  source: EventSource;
  receivedAt: Date;
}

/**
 * Stores an event unless its id or idempotency key is already known, and
 * wakes workers on `channel` — one statement, so the NOTIFY goes out at its
 * commit and only for a new event. A repeat costs a second query for the
 * first event's id. Answers the stored id and whether this was a repeat.
 *
 * The inbox references auth.users (deleting a user deletes their events), so
 * a user first seen here is provisioned by the same statement on a
 * standalone database; on Supabase an id that is not a user answers
 * `unknownUser` and stores nothing.
 */
export async function insertEventAndNotify(
  db: Queryable,
  e: NewEvent,
  channel: string,
): Promise<{ id: string; duplicate: boolean; unknownUser?: true; otherUsers?: true }> {
  const { rows } = await db.query<{ present: boolean; id: string | null }>(
    // The insert reads `created`, so the user is provisioned (or found absent) first.
    `with ${EVENT_USER_SQL.cte},
     ins as (
       insert into alert_events (id, idempotency_key, type, user_id, job_id, occurred_at, data, source, received_at)
       select $2::uuid, $3::text, $4::text, $1::uuid, $5::uuid, $6::timestamptz, $7::jsonb, $8::text, $9::timestamptz
       from created where created.present
       on conflict do nothing
       returning id
     )
     select c.present, i.id, case when i.id is not null then pg_notify($10, 'inbox') end
     from created c left join ins i on true`,
    [
      e.userId,
      e.id,
      e.idempotencyKey,
      e.type,
      e.jobId,
      e.occurredAt,
      JSON.stringify(e.data),
      e.source,
      e.receivedAt,
      channel,
    ],
  );
  const row = rows[0];
  if (!row?.present) return { id: e.id, duplicate: false, unknownUser: true };
  if (row.id) return { id: row.id, duplicate: false };
  const existing = await db.query<{ id: string; user_id: string }>(
    "select id, user_id from alert_events where id = $1 or ($2::text is not null and idempotency_key = $2) limit 1",
    [e.id, e.idempotencyKey],
  );
  const first = existing.rows[0];
  // An event id is global: one that is another user's event is not a repeat of this one.
  if (first && first.user_id !== e.userId) return { id: e.id, duplicate: false, otherUsers: true };
  return { id: first?.id ?? e.id, duplicate: true };
}

/**
 * Claims up to `limit` unprocessed events, locked for this transaction;
 * other workers skip them. Ordered by user so that per-user locks are always
 * taken in the same order (no deadlocks between workers).
 */
export async function claimEvents(
  db: Queryable,
  limit: number,
  partition: InboxPartition = { count: 1, index: 0 },
): Promise<(AlertEvent & { attempts: number })[]> {
  const { rows } = await db.query<AlertEvent & { attempts: number }>(
    `select * from (
       select id, type, user_id, job_id, occurred_at, data, source, attempts, received_at
       from alert_events
       where processed_at is null
         and ($2::int = 1 or mod(abs(hashtext(user_id::text)), $2::int) = $3::int)
       order by received_at, id
       limit $1
       for update skip locked
     ) claimed
     order by user_id, received_at, id`,
    [limit, partition.count, partition.index],
  );
  return rows;
}

/** A share of the users: an inbox pass over one takes only their events. */
export interface InboxPartition {
  count: number;
  index: number;
}

export interface ProcessedEvent {
  id: string;
  outcome: EventOutcome;
  alertId: string | null;
  processedAt: Date;
}

/** Closes a batch's decided events with their outcomes, in one statement. */
export async function markEventsProcessed(
  db: Queryable,
  events: readonly ProcessedEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `update alert_events e set processed_at = p.processed_at, outcome = p.outcome, alert_id = p.alert_id
     from unnest($1::uuid[], $2::text[], $3::uuid[], $4::timestamptz[])
       as p(id, outcome, alert_id, processed_at)
     where e.id = p.id`,
    [
      events.map((e) => e.id),
      events.map((e) => e.outcome),
      events.map((e) => e.alertId),
      events.map((e) => e.processedAt),
    ],
  );
}

/** Records a failed processing attempt; after `maxAttempts` the event is closed as an error, kept for inspection. */
export async function markEventFailed(
  db: Queryable,
  id: string,
  error: string,
  now: Date,
  maxAttempts: number,
) {
  await db.query(
    `update alert_events set attempts = attempts + 1, last_error = $2,
       processed_at = case when attempts + 1 >= $4 then $3::timestamptz end,
       outcome = case when attempts + 1 >= $4 then 'error' end
     where id = $1`,
    [id, error.slice(0, 2000), now, maxAttempts],
  );
}
