import type { Queryable } from "../../db/types";
import type { AlertCard } from "../formatters/card";
import { closeGroupBatch } from "../sql/close-group-batch";
import { loadGroupMembers } from "../sql/load-group-members";
import type { GroupCard } from "./group-card";
import { groupHeadline } from "./group-view";

/** Members a group message is built from at most: more than any formatter lists. */
const MEMBERS_LOADED = 200;

/**
 * The card a group message's delivery sends: the batch is closed first (so
 * its members are fixed, and a retry or a takeover sends the same message),
 * then its members are read. A batch of one goes out as its one alert, in
 * the alert's own layout. Undefined when the batch is gone or empty (there
 * is nothing to send). The group message's history title says the count.
 */
export async function loadGroupCard(
  db: Queryable,
  p: { messageCard: AlertCard; batchId: string; now: Date },
): Promise<AlertCard | undefined> {
  const batch = await closeGroupBatch(db, p.batchId, p.now);
  if (!batch) return undefined;
  const { members, total } = await loadGroupMembers(db, batch.id, MEMBERS_LOADED);
  const first = members[0];
  if (!first) return undefined;
  const headline = groupHeadline(batch.alert_type, total, batch.group_label);
  if (batch.message_alert_id) {
    await db.query(
      "update alert_history set title = $2, message = $3 where id = $1 and title is distinct from $2",
      [batch.message_alert_id, headline, `${total} alerts went out as one message.`],
    );
  }
  const { appUrl } = p.messageCard;
  if (total === 1) {
    return {
      id: first.id,
      type: batch.alert_type,
      title: first.title,
      message: first.message,
      jobId: first.jobId,
      data: first.data,
      createdAt: first.createdAt,
      appUrl,
    };
  }
  const group: GroupCard = {
    id: batch.id,
    type: batch.alert_type,
    label: batch.group_label,
    members,
    total,
    windowStart: batch.opened_at,
    windowEnd: batch.closed_at,
    appUrl,
  };
  return { ...p.messageCard, title: headline, group };
}
