import type { Queryable } from "../../db/types";
import type { MuteScope } from "../mute-link";

export interface MuteRow {
  id: string;
  scope: MuteScope;
  value: string;
  muted_until: Date;
  created_via: "web" | "link";
  created_at: Date;
}

const COLUMNS = "id, scope, value, muted_until, created_via, created_at";

/** Mutes `scope`/`value` until `until`; muting again moves the end (never shortens a longer one). */
export async function upsertMute(
  db: Queryable,
  m: {
    userId: string;
    scope: MuteScope;
    value: string;
    until: Date;
    via: "web" | "link";
    now: Date;
  },
): Promise<MuteRow> {
  const { rows } = await db.query<MuteRow>(
    `insert into alert_mutes (user_id, scope, value, muted_until, created_via, created_at)
     values ($1, $2, $3, $4, $5, $6)
     on conflict (user_id, scope, value) do update
       set muted_until = case when alert_mutes.muted_until > $6
                              then greatest(alert_mutes.muted_until, excluded.muted_until)
                              else excluded.muted_until end,
           created_via = excluded.created_via,
           created_at = case when alert_mutes.muted_until > $6
                             then alert_mutes.created_at else excluded.created_at end
     returning ${COLUMNS}`,
    [m.userId, m.scope, m.value, m.until, m.via, m.now],
  );
  const row = rows[0];
  if (!row) throw new Error("upsert returned no row");
  return row;
}

/** The user's mutes still in force at `now`, ending soonest first. */
export async function listActiveMutes(
  db: Queryable,
  userId: string,
  now: Date,
): Promise<MuteRow[]> {
  const { rows } = await db.query<MuteRow>(
    `select ${COLUMNS} from alert_mutes where user_id = $1 and muted_until > $2
     order by muted_until, id`,
    [userId, now],
  );
  return rows;
}

export async function deleteMute(db: Queryable, userId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query("delete from alert_mutes where user_id = $1 and id = $2", [
    userId,
    id,
  ]);
  return rowCount > 0;
}

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
    `select ${COLUMNS} from alert_mutes m
     where m.user_id = $1 and m.muted_until > $5
       and ((m.scope = 'type' and m.value = $2)
         or (m.scope = 'job' and m.value = $3::text)
         or (m.scope = 'group' and m.value = $4::text))
     order by m.muted_until desc limit 1`,
    [q.userId, q.type, q.jobId, q.group, q.now],
  );
  return rows[0];
}
