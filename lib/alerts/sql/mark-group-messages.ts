import type { Queryable } from "../../db/types";

/** A message of each group went out at `at`: the groups' next window starts there. */
export async function markGroupMessages(
  db: Queryable,
  userId: string,
  keys: readonly string[],
  at: Date,
): Promise<void> {
  if (keys.length === 0) return;
  await db.query(
    `insert into alert_groups (user_id, group_key, last_message_at)
     select $1, k.key, $3 from unnest($2::text[]) as k(key)
     on conflict (user_id, group_key) do update
       set last_message_at = greatest(alert_groups.last_message_at, excluded.last_message_at)`,
    [userId, [...new Set(keys)], at],
  );
}
