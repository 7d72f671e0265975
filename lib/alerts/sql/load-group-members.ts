import type { Queryable } from "../../db/types";
import type { GroupMemberCard } from "../grouping/group-card";

/**
 * A batch's members, newest first, at most `limit` (formatters list fewer;
 * the rest are counted), and how many there are in all.
 */
export async function loadGroupMembers(
  db: Queryable,
  batchId: string,
  limit: number,
): Promise<{ members: GroupMemberCard[]; total: number }> {
  const { rows } = await db.query<{
    id: string;
    job_id: string | null;
    title: string;
    message: string;
    data: Record<string, unknown>;
    created_at: Date;
    total: number;
  }>(
    `select h.id, h.job_id, h.title, h.message, h.data, h.created_at,
            count(*) over ()::int as total
     from alert_deliveries d join alert_history h on h.id = d.alert_id
     where d.group_batch_id = $1
     order by h.created_at desc, h.id desc
     limit $2`,
    [batchId, limit],
  );
  return {
    members: rows.map((r) => ({
      id: r.id,
      jobId: r.job_id,
      title: r.title,
      message: r.message,
      data: r.data,
      createdAt: r.created_at,
    })),
    total: rows[0]?.total ?? 0,
  };
}
