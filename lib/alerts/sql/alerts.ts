import type { Queryable } from "../../db/types";
import { EVENT_USER_SQL } from "../../db/users";
import { ALERT_FLAG, ALERT_FLAGS, type EventType, SYSTEM_ALERT_TYPES } from "../alert.types";
import { holdingMutes } from "./find-mute";
import { MUTE_COLUMNS, type MuteRow } from "./mute-row";

export interface Recipient {
  /** The user's preferences, or null when they never saved any (the seed defaults apply). */
  prefs: {
    email_enabled: boolean | null;
    email_address: string | null;
    quiet_hours_enabled: boolean | null;
    quiet_hours_start: string | null;
    quiet_hours_end: string | null;
    timezone: string | null;
    group_window_seconds?: number | null;
    [flag: string]: unknown;
  } | null;
  auth_email: string | null;
  /** Enabled webhooks whose flag for the event type is on. */
  webhook_ids: string[];
  /** Each of `webhook_ids`' `webhook_type`, in the same order. */
  webhook_kinds: string[];
  last_progress_at: string | null;
  /** The job's group label (`metadata.group`), or null. */
  job_group: string | null;
}

/** The columns of a `Recipient`, for `$1` the user and `$2` the job. */
function recipientColumns(type: EventType | null): string {
  const flag = type ? ALERT_FLAG[type] : null;
  return `(select row_to_json(p) from (
          select email_enabled, email_address, quiet_hours_enabled,
                 quiet_hours_start::text as quiet_hours_start, quiet_hours_end::text as quiet_hours_end,
                 timezone, ${ALERT_FLAGS.join(", ")}, group_window_seconds
          from user_alert_preferences where user_id = $1) p) as prefs,
       (select email from auth.users where id = $1) as auth_email,
       array(select id from user_webhooks
             where user_id = $1 and enabled is true ${flag ? `and ${flag} is true` : ""}
             order by created_at, id) as webhook_ids,
       array(select coalesce(webhook_type, 'generic') from user_webhooks
             where user_id = $1 and enabled is true ${flag ? `and ${flag} is true` : ""}
             order by created_at, id) as webhook_kinds,
       (select alerts_group_label(metadata -> 'group') from training_jobs
          where id = $2 and user_id = $1) as job_group,
       (select to_char(last_progress_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
          from training_jobs where id = $2) as last_progress_at`;
}

/** Everything needed to decide a system alert's channels, in one round trip. */
export async function loadRecipient(db: Queryable, userId: string): Promise<Recipient> {
  const { rows } = await db.query<Recipient>(`select ${recipientColumns(null)}`, [userId, null]);
  const row = rows[0];
  if (!row) throw new Error("recipient query returned no row");
  return row;
}

export interface EventRecipient extends Recipient {
  /** False for a user id that the auth schema does not know (Supabase). */
  present: boolean;
  /**
   * The user's messages in the rolling hour before `now` that count towards
   * the rate limit (alerts not suppressed, not system notices, not only
   * waiting in batches; group messages), and the oldest.
   */
  recent: { count: number; oldest: Date | null };
  /**
   * The mutes that may silence the alert, longest first: of its type, of its
   * job, of the group label the caller gave (the event's) or of the job's
   * label (`job_group`). The caller keeps a group mute only when its value is
   * the alert's label (`groupLabelOf`).
   */
  mutes: MuteRow[];
}

/**
 * Everything needed to decide an event, in one round trip: the user
 * (provisioned standalone, as `ensureEventUser`), their preferences and
 * webhooks for the event's type, the job's progress, the rate-limit
 * count, and the mutes that may hold. Run it after `lockUser`/`lockUsers` (an earlier statement: each
 * statement reads its own snapshot), so the count sees the user's last alert.
 */
export async function loadEventRecipient(
  db: Queryable,
  q: {
    userId: string;
    type: EventType;
    jobId: string | null;
    eventLabel: string | null;
    now: Date;
  },
): Promise<EventRecipient> {
  const { rows } = await db.query<
    Recipient & {
      present: boolean;
      count: number;
      oldest: Date | null;
      mutes: (Omit<MuteRow, "muted_until" | "created_at"> & {
        muted_until: string;
        created_at: string;
      })[];
    }
  >(
    `with ${EVENT_USER_SQL.cte}
     select ${EVENT_USER_SQL.present} as present, ${recipientColumns(q.type)}, recent.count, recent.oldest,
       array(select row_to_json(m) from (
               select ${MUTE_COLUMNS} from alert_mutes
               where ${holdingMutes({
                 user: "$1",
                 now: "$3",
                 type: "$5",
                 job: "$2::text",
                 groups: [
                   "$6::text",
                   "(select alerts_group_label(metadata -> 'group') from training_jobs where id = $2 and user_id = $1)",
                 ],
               })}
               order by muted_until desc) m) as mutes
     from (select count(*)::int as count, min(created_at) as oldest from alert_history h
           where user_id = $1 and created_at > $3::timestamptz - interval '1 hour' and created_at <= $3
             and status not in ('suppressed', 'muted') and alert_type <> all($4::text[])
             -- The limit counts messages: an alert that only waits in batches is
             -- not one (its group message, an alert_group alert, is).
             and (not exists (select 1 from alert_deliveries g
                              where g.alert_id = h.id and g.group_batch_id is not null)
                  or exists (select 1 from alert_deliveries g
                             where g.alert_id = h.id and g.group_batch_id is null))) recent`,
    [q.userId, q.jobId, q.now, SYSTEM_ALERT_TYPES, q.type, q.eventLabel],
  );
  const row = rows[0];
  if (!row) throw new Error("recipient query returned no row");
  const { count, oldest, mutes, ...recipient } = row;
  return {
    ...recipient,
    recent: { count, oldest },
    mutes: mutes.map((m) => ({
      ...m,
      muted_until: new Date(m.muted_until),
      created_at: new Date(m.created_at),
    })),
  };
}

/** Claims a dedupe key; false when an unexpired claim exists. */
export async function claimDedupe(
  db: Queryable,
  userId: string,
  key: string,
  eventId: string,
  now: Date,
  expiresAt: Date | null,
): Promise<boolean> {
  const { rows } = await db.query(
    `insert into alert_dedupe (user_id, key, event_id, claimed_at, expires_at)
     values ($1, $2, $3, $4, $5)
     on conflict (user_id, key) do update
       set event_id = excluded.event_id, claimed_at = excluded.claimed_at, expires_at = excluded.expires_at
       where alert_dedupe.expires_at is not null and alert_dedupe.expires_at <= excluded.claimed_at
     returning 1`,
    [userId, key, eventId, now, expiresAt],
  );
  return rows.length > 0;
}

/** Suppressed alerts since the user's last rate-limit notice. */
export async function countSuppressedSinceNotice(db: Queryable, userId: string): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    `select count(*)::int as count from alert_history
     where user_id = $1 and status = 'suppressed'
       and created_at > coalesce(
         (select max(created_at) from alert_history where user_id = $1 and alert_type = 'rate_limit_notice'),
         '-infinity'::timestamptz)`,
    [userId],
  );
  return rows[0]?.count ?? 0;
}

/** Serialises the processing of one user's events across workers, for this transaction. */
export async function lockUser(db: Queryable, userId: string): Promise<void> {
  await db.query("select pg_advisory_xact_lock(hashtextextended($1, 7394003))", [userId]);
}

/**
 * `lockUser` for many users in one statement, in the order given (callers
 * give them sorted, as every transaction that takes more than one does, so
 * two of them never wait for each other in a cycle). Held to commit.
 */
export async function lockUsers(db: Queryable, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  await db.query(
    `select count(pg_advisory_xact_lock(hashtextextended(u.id, 7394003)))
     from (select id from unnest($1::text[]) with ordinality as t(id, n) order by n) u`,
    [userIds],
  );
}

/**
 * Recomputes an alert's summary columns (the seed's email_/webhook_ columns
 * and the overall status) from its delivery rows.
 */
export async function refreshAlertSummary(db: Queryable, alertIds: string[]): Promise<void> {
  if (alertIds.length === 0) return;
  // Two deliveries of one alert finishing at once would each read the other
  // as still sending, and the later write would keep that stale summary.
  // Locking the alert rows first (in one order) makes the second wait, and
  // its next statement then reads the first one's committed outcome.
  await db.query(
    "select id from alert_history where id = any($1::uuid[]) order by id for no key update",
    [alertIds],
  );
  await updateAlertSummary(db, alertIds);
}

/** The summary update itself, for a caller that has locked the alerts (see above) in an earlier statement. */
export async function updateAlertSummary(db: Queryable, alertIds: string[]): Promise<void> {
  if (alertIds.length === 0) return;
  // (`h.id = any($1)` as well as the join: the planner cannot tell how few
  // rows the aggregate yields, and would otherwise hash it against a scan of
  // the whole history.)
  await db.query(
    `update alert_history h set
       status = s.status,
       email_sent = s.email_sent, email_sent_at = s.email_sent_at, email_error = s.email_error,
       webhook_sent = s.webhook_sent, webhook_sent_at = s.webhook_sent_at,
       webhook_id = coalesce(s.webhook_id, h.webhook_id), webhook_error = s.webhook_error
     from (
       select alert_id,
         coalesce(bool_or(channel = 'email' and status = 'delivered'), false) as email_sent,
         max(delivered_at) filter (where channel = 'email') as email_sent_at,
         max(last_error) filter (where channel = 'email' and status <> 'delivered') as email_error,
         coalesce(bool_or(channel = 'webhook' and status = 'delivered'), false) as webhook_sent,
         max(delivered_at) filter (where channel = 'webhook') as webhook_sent_at,
         (array_agg(webhook_id order by delivered_at desc nulls last)
            filter (where channel = 'webhook' and status = 'delivered'))[1] as webhook_id,
         max(last_error) filter (where channel = 'webhook' and status <> 'delivered') as webhook_error,
         case
           when bool_and(status = 'suppressed') then 'suppressed'
           when bool_or(status in ('pending', 'sending', 'retrying', 'grouped')) then 'pending'
           when bool_or(status = 'deferred') then 'deferred'
           when bool_and(status = 'skipped') then 'skipped'
           when bool_and(status in ('delivered', 'skipped')) then 'sent'
           when bool_or(status = 'delivered') then 'partial'
           else 'failed'
         end as status
       from alert_deliveries where alert_id = any($1::uuid[])
       group by alert_id
     ) s
     where h.id = any($1::uuid[]) and h.id = s.alert_id`,
    [alertIds],
  );
}
