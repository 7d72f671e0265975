import type { Queryable } from "../../db/types";
import type { GroupState } from "../grouping/plan-grouping";

/**
 * The state of a user's groups, by key, in one statement: when each last
 * sent a message, and its open batch. Keys with neither are absent.
 */
export async function loadGroupStates(
  db: Queryable,
  userId: string,
  keys: readonly string[],
): Promise<Map<string, GroupState>> {
  if (keys.length === 0) return new Map();
  const { rows } = await db.query<{
    key: string;
    last_message_at: Date | null;
    batch_id: string | null;
    release_at: Date | null;
  }>(
    `select k.key, g.last_message_at, b.id as batch_id, b.release_at
     from unnest($2::text[]) as k(key)
     left join alert_groups g on g.user_id = $1 and g.group_key = k.key
     left join alert_group_batches b on b.user_id = $1 and b.group_key = k.key and b.closed_at is null`,
    [userId, keys],
  );
  return new Map(
    rows.map((r) => [
      r.key,
      {
        lastMessageAt: r.last_message_at,
        openBatch: r.batch_id && r.release_at ? { id: r.batch_id, releaseAt: r.release_at } : null,
      },
    ]),
  );
}
