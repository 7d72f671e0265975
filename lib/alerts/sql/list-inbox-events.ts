import type { Queryable } from "../../db/types";

export interface InboxEventRow {
  id: string;
  type: string;
  job_id: string | null;
  occurred_at: Date;
  received_at: Date;
  processed_at: Date | null;
  outcome: string | null;
  attempts: number;
  last_error: string | null;
  data: Record<string, unknown>;
  alert_id: string | null;
  alert_status: string | null;
  alert_deferred_until: Date | null;
  alert_suppressed_reason: string | null;
  duplicate_of: string | null;
  /** received_at at full (microsecond) precision, for the next cursor. */
  cursor_ts: string;
}

/**
 * A page of a user's inbox, newest first (keyset on received_at, id), with
 * the alert each event became and, for a duplicate, the earlier event it
 * repeated: the same type for the same job (a disk warning: the same path).
 * Run as the user: RLS on `alert_events` and `alert_history` hides the rest.
 */
export async function listInboxEvents(
  db: Queryable,
  userId: string,
  f: { after?: { createdAt: string; id: string }; limit: number },
): Promise<InboxEventRow[]> {
  const { rows } = await db.query<InboxEventRow>(
    `select e.id, e.type, e.job_id, e.occurred_at, e.received_at, e.processed_at, e.outcome,
            e.attempts, e.last_error, e.data, e.alert_id,
            h.status as alert_status, h.deferred_until as alert_deferred_until,
            h.suppressed_reason as alert_suppressed_reason,
            case when e.outcome = 'deduplicated' then (
              select p.id from alert_events p
              where p.user_id = e.user_id and p.type = e.type and p.id <> e.id
                and p.job_id is not distinct from e.job_id
                and (e.type <> 'disk_warning' or p.data->>'disk_path' is not distinct from e.data->>'disk_path')
                and p.outcome is distinct from 'deduplicated'
                and p.received_at <= e.received_at
              order by p.received_at desc limit 1
            ) end as duplicate_of,
            to_char(e.received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_ts
     from alert_events e
     left join alert_history h on h.id = e.alert_id
     where e.user_id = $1
       and ($2::timestamptz is null or (e.received_at, e.id) < ($2::timestamptz, $3::uuid))
     order by e.received_at desc, e.id desc
     limit $4`,
    [userId, f.after?.createdAt ?? null, f.after?.id ?? null, f.limit],
  );
  return rows;
}
