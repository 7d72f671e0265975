import type { Queryable } from "../../db/types";

/**
 * Moves a member's delivery into an open batch, in one statement; a later
 * `releaseAt` (quiet hours) postpones the batch's message. False when the
 * batch closed meanwhile (its message is being sent): the caller opens
 * another. The batch row's lock orders this against closeGroupBatch.
 */
export async function joinGroupBatch(
  db: Queryable,
  p: { batchId: string; memberDeliveryId: string; releaseAt: Date; now: Date },
): Promise<boolean> {
  const { rows } = await db.query(
    `with batch as (
       update alert_group_batches
       set member_count = member_count + 1, release_at = greatest(release_at, $3)
       where id = $1 and closed_at is null
       returning id, message_alert_id, release_at
     ),
     postponed as (
       update alert_deliveries d set next_attempt_at = b.release_at, updated_at = $4
       from batch b
       where d.alert_id = b.message_alert_id and d.status = 'pending'
         and d.next_attempt_at < b.release_at
     ),
     member as (
       update alert_deliveries d set status = 'grouped', group_batch_id = b.id,
                                     next_attempt_at = null, updated_at = $4
       from batch b where d.id = $2
     )
     select id from batch`,
    [p.batchId, p.memberDeliveryId, p.releaseAt, p.now],
  );
  return rows.length > 0;
}
