import type { Queryable } from "../../db/types";
import { ALERT_FLAGS, type AlertPreferences } from "../alert.types";
import type { PreferencesUpdate } from "../api/preferences.schema";

const COLUMNS = `id, user_id, email_enabled, email_address,
  ${ALERT_FLAGS.join(", ")},
  daily_summary_enabled, daily_summary_time::text as daily_summary_time,
  weekly_digest_enabled, weekly_digest_day,
  quiet_hours_enabled, quiet_hours_start::text as quiet_hours_start,
  quiet_hours_end::text as quiet_hours_end, timezone, group_window_seconds,
  created_at, updated_at`;

/** The user's preferences; a row with the seed's defaults is created on first read. */
export async function getOrCreatePreferences(
  db: Queryable,
  userId: string,
): Promise<AlertPreferences> {
  // One statement: the CTE's insert is invisible to the outer select of the
  // table, so exactly one of the two branches yields the row.
  const { rows } = await db.query<AlertPreferences>(
    `with created as (
       insert into user_alert_preferences (user_id) values ($1)
       on conflict (user_id) do nothing
       returning ${COLUMNS}
     )
     select * from created
     union all
     select ${COLUMNS} from user_alert_preferences
     where user_id = $1 and not exists (select 1 from created)`,
    [userId],
  );
  const row = rows[0];
  if (!row) throw new Error(`preferences of ${userId} could neither be read nor created`);
  return row;
}

/** Writes the given fields (and only those), creating the row when it is missing. */
export async function upsertPreferences(
  db: Queryable,
  userId: string,
  update: PreferencesUpdate,
): Promise<AlertPreferences> {
  // Keys come from the validated schema, never from raw input.
  const entries = Object.entries(update).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return getOrCreatePreferences(db, userId);
  const names = entries.map(([k]) => k);
  const values = entries.map(([, v]) => v);
  const { rows } = await db.query<AlertPreferences>(
    `insert into user_alert_preferences (user_id, ${names.join(", ")})
     values ($1, ${names.map((_, i) => `$${i + 2}`).join(", ")})
     on conflict (user_id) do update set
       ${names.map((n) => `${n} = excluded.${n}`).join(", ")}, updated_at = now()
     returning ${COLUMNS}`,
    [userId, ...values],
  );
  const row = rows[0];
  if (!row) throw new Error(`preferences of ${userId} were not written`);
  return row;
}
