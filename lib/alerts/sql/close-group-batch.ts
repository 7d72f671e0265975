import type { Queryable } from "../../db/types";

export interface ClosedBatch {
  id: string;
  user_id: string;
  group_key: string;
  alert_type: string;
  group_label: string | null;
  opened_at: Date;
  release_at: Date;
  closed_at: Date;
  member_count: number;
  message_alert_id: string | null;
}

/**
 * Closes a batch for sending (idempotent: a retry, or a takeover after a
 * crash, finds it closed and reads the same members) and starts its group's
 * next window at the close. Waits on a join in flight (the batch row's
 * lock), so every member that joined is committed before the members are
 * read. Answers the batch, or undefined when it is gone.
 */
export async function closeGroupBatch(
  db: Queryable,
  batchId: string,
  now: Date,
): Promise<ClosedBatch | undefined> {
  const { rows } = await db.query<ClosedBatch>(
    `with closed as (
       update alert_group_batches set closed_at = coalesce(closed_at, $2)
       where id = $1
       returning *
     ),
     next_window as (
       insert into alert_groups (user_id, group_key, last_message_at)
       select user_id, group_key, closed_at from closed
       on conflict (user_id, group_key) do update
         set last_message_at = greatest(alert_groups.last_message_at, excluded.last_message_at)
     )
     select id, user_id, group_key, alert_type, group_label, opened_at, release_at, closed_at,
            member_count, message_alert_id
     from closed`,
    [batchId, now],
  );
  return rows[0];
}
