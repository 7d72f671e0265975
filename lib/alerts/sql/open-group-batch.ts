import { randomUUID } from "node:crypto";
import type { Queryable } from "../../db/types";
import { GROUP_MESSAGE_TYPE } from "../alert.types";

export interface NewGroupBatch {
  userId: string;
  groupKey: string;
  channel: "email" | "webhook";
  webhookId: string | null;
  alertType: string;
  label: string | null;
  openedAt: Date;
  releaseAt: Date;
  /** The first member's delivery: it waits in the batch from now on. */
  memberDeliveryId: string;
  /** The group message's history text until the batch closes (closeGroupBatch rewrites it). */
  title: string;
  message: string;
  /** Quiet hours hold the message: the group message alert is recorded as deferred. */
  deferred: boolean;
}

/**
 * Opens a group's batch in one statement: the batch, its group message (an
 * `alert_group` alert, with one delivery due when the window ends), and the
 * first member's delivery moved into the batch. Answers the batch's id.
 */
export async function openGroupBatch(db: Queryable, b: NewGroupBatch): Promise<string> {
  // Ids made here: the batch and its message alert name each other.
  const batchId = randomUUID();
  const alertId = randomUUID();
  await db.query(
    `with message as (
       insert into alert_history (id, user_id, alert_type, title, message, data, status,
                                  deferred_until, created_at, group_label, group_batch_id)
       values ($2, $3, $4, $5, $6,
               jsonb_build_object('batch_id', $1::uuid, 'alert_type', $7::text, 'group', $8::text),
               $9, $10, $11, $8, $1)
       returning id
     ),
     batch as (
       insert into alert_group_batches (id, user_id, group_key, channel, webhook_id, alert_type,
                                        group_label, opened_at, release_at, member_count,
                                        message_alert_id)
       values ($1, $3, $12, $13, $14, $7, $8, $11, $15, 1, $2)
       returning id
     ),
     delivery as (
       insert into alert_deliveries (alert_id, user_id, channel, webhook_id, status,
                                     next_attempt_at, created_at, updated_at)
       values ($2, $3, $13, $14, 'pending', $15, $11, $11)
       returning id
     )
     update alert_deliveries set status = 'grouped', group_batch_id = $1, next_attempt_at = null,
                                 updated_at = $11
     where id = $16`,
    [
      batchId,
      alertId,
      b.userId,
      GROUP_MESSAGE_TYPE,
      b.title,
      b.message,
      b.alertType,
      b.label,
      b.deferred ? "deferred" : "pending",
      b.deferred ? b.releaseAt : null,
      b.openedAt,
      b.groupKey,
      b.channel,
      b.webhookId,
      b.releaseAt,
      b.memberDeliveryId,
    ],
  );
  return batchId;
}
