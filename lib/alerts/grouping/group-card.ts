/**
 * A group message as every grouped formatter receives it: the batch and its
 * members, pure data, nothing that must not leave the system (no email
 * address). Built by the delivery engine when a batch's window ends.
 */
export interface GroupCard {
  /** The batch's id: the group message's identity (generic `data.group_id`). */
  id: string;
  /** The members' alert type (a group holds one type). */
  type: string;
  /** The jobs' group label (a sweep, a project), or null. */
  label: string | null;
  /**
   * The members the message may list, in any order (formatters list the
   * newest first). May hold fewer than `total`: the rest are counted.
   */
  members: GroupMemberCard[];
  /** How many alerts the batch holds. */
  total: number;
  /** When the batch opened and when its window ended. */
  windowStart: Date;
  windowEnd: Date;
  /** Base of links (`ALERTS_APP_URL`). */
  appUrl: string;
}

/** One member alert of a batch, as its `alert_history` row holds it. */
export interface GroupMemberCard {
  id: string;
  jobId: string | null;
  title: string;
  message: string;
  data: Record<string, unknown>;
  createdAt: Date;
}

/** The members newest first (ties: by id, so every formatter agrees). Pure. */
export function newestFirst(members: readonly GroupMemberCard[]): GroupMemberCard[] {
  return [...members].sort(
    (a, b) =>
      b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
  );
}
