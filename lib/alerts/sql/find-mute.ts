import type { Queryable } from "../../db/types";
import { MUTE_COLUMNS, type MuteRow } from "./mute-row";

/**
 * The mute that silences an alert of `type` about `jobId` whose group label
 * is `group` (groupLabelOf: the event's `data.group`, else the job's
 * `metadata.group`, the label grouping uses too), if any holds at `now`: the
 * one that lasts longest.
 */
export async function findMute(
  db: Queryable,
  q: { userId: string; type: string; jobId: string | null; group: string | null; now: Date },
): Promise<MuteRow | undefined> {
  const { rows } = await db.query<MuteRow>(
    `select ${MUTE_COLUMNS} from alert_mutes
     where ${holdingMutes({ user: "$1", now: "$5", type: "$2", job: "$3::text", groups: ["$4::text"] })}
     order by muted_until desc limit 1`,
    [q.userId, q.type, q.jobId, q.group, q.now],
  );
  return rows[0];
}

/**
 * The condition on `alert_mutes` for the mutes that hold at `now` for an
 * alert of `type` about `job` whose group label is one of `groups` (SQL
 * expressions: parameters or subqueries).
 */
export function holdingMutes(q: {
  user: string;
  now: string;
  type: string;
  job: string;
  groups: readonly string[];
}): string {
  return `user_id = ${q.user} and muted_until > ${q.now}
       and ((scope = 'type' and value = ${q.type})
         or (scope = 'job' and value = ${q.job})
         or (scope = 'group' and value in (${q.groups.join(", ")})))`;
}
