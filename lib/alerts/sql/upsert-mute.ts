import type { Queryable } from "../../db/types";
import type { MuteScope } from "../mute-link";
import { MUTE_COLUMNS, type MuteRow } from "./mute-row";

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
     returning ${MUTE_COLUMNS}`,
    [m.userId, m.scope, m.value, m.until, m.via, m.now],
  );
  const row = rows[0];
  if (!row) throw new Error("upsert returned no row");
  return row;
}
