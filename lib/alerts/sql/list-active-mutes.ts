import type { Queryable } from "../../db/types";
import { MUTE_COLUMNS, type MuteRow } from "./mute-row";

/** The user's mutes still in force at `now`, ending soonest first. */
export async function listActiveMutes(
  db: Queryable,
  userId: string,
  now: Date,
): Promise<MuteRow[]> {
  const { rows } = await db.query<MuteRow>(
    `select ${MUTE_COLUMNS} from alert_mutes where user_id = $1 and muted_until > $2
     order by muted_until, id`,
    [userId, now],
  );
  return rows;
}
