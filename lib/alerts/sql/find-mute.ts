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
    `select ${MUTE_COLUMNS} from alert_mutes m
     where m.user_id = $1 and m.muted_until > $5
       and ((m.scope = 'type' and m.value = $2)
         or (m.scope = 'job' and m.value = $3::text)
         or (m.scope = 'group' and m.value = $4::text))
     order by m.muted_until desc limit 1`,
    [q.userId, q.type, q.jobId, q.group, q.now],
  );
  return rows[0];
}
