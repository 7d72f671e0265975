import type { Queryable } from "../../db/types";
import type { AlertStatus, AlertType } from "../alert.types";

export interface HistoryFilter {
  alertType?: AlertType;
  status?: AlertStatus;
  jobId?: string;
  since?: string;
  /** A group label: alerts of jobs carrying it. */
  group?: string;
  /** Keyset position: rows strictly older than (createdAt, id). */
  after?: { createdAt: string; id: string };
  limit: number;
}

export interface HistoryRow {
  id: string;
  alert_type: string;
  title: string;
  message: string;
  job_id: string | null;
  status: AlertStatus;
  data: Record<string, unknown>;
  email_sent: boolean;
  email_sent_at: Date | null;
  email_error: string | null;
  webhook_sent: boolean;
  webhook_sent_at: Date | null;
  webhook_id: string | null;
  webhook_error: string | null;
  deferred_until: Date | null;
  suppressed_reason: string | null;
  group_label: string | null;
  created_at: Date;
  /** created_at at full (microsecond) precision, for the next cursor. */
  cursor_ts: string;
  deliveries: unknown[];
}

/**
 * A timestamp as JSON.stringify writes a Date (`…T10:00:01.500Z`). Left to
 * json_build_object it would carry the session time zone's offset, unlike the
 * item's own timestamps and the documented schema.
 */
const isoUtc = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A page of a user's history, newest first, with each alert's deliveries. */
export async function listHistory(
  db: Queryable,
  userId: string,
  f: HistoryFilter,
): Promise<HistoryRow[]> {
  const { rows } = await db.query<HistoryRow>(
    `select h.id, h.alert_type, h.title, h.message, h.job_id, h.status, h.data,
            coalesce(h.email_sent, false) as email_sent, h.email_sent_at, h.email_error,
            coalesce(h.webhook_sent, false) as webhook_sent, h.webhook_sent_at, h.webhook_id,
            h.webhook_error, h.deferred_until, h.suppressed_reason, h.group_label, h.created_at,
            to_char(h.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_ts,
            coalesce((
              select json_agg(jsonb_build_object(
                       'id', d.id, 'channel', d.channel, 'webhook_id', d.webhook_id,
                       'webhook_name', coalesce(w.name, d.webhook_name),
                       'status', d.status, 'attempts', d.attempts,
                       'last_status_code', d.last_status_code, 'last_error', d.last_error,
                       'next_attempt_at', ${isoUtc("d.next_attempt_at")},
                       'delivered_at', ${isoUtc("d.delivered_at")})
                     -- A delivery that waited in a batch names its group message.
                     || case when d.group_batch_id is null then '{}'::jsonb else (
                          select jsonb_build_object('group', jsonb_build_object(
                                   'batch_id', b.id, 'message_alert_id', b.message_alert_id,
                                   'size', b.member_count, 'status', md.status))
                          from alert_group_batches b
                          left join alert_deliveries md on md.alert_id = b.message_alert_id
                          where b.id = d.group_batch_id
                          limit 1) end
                     order by d.created_at, d.id)
              from alert_deliveries d left join user_webhooks w on w.id = d.webhook_id
              where d.alert_id = h.id
            ), '[]'::json) as deliveries
     from alert_history h
     where h.user_id = $1
       and ($2::timestamptz is null or (h.created_at, h.id) < ($2::timestamptz, $3::uuid))
       and ($4::text is null or h.alert_type = $4)
       and ($5::uuid is null or h.job_id = $5)
       and ($6::timestamptz is null or h.created_at >= $6)
       and ($7::text is null or h.status = $7)
       and ($9::text is null or h.group_label = $9)
     order by h.created_at desc, h.id desc
     limit $8`,
    [
      userId,
      f.after?.createdAt ?? null,
      f.after?.id ?? null,
      f.alertType ?? null,
      f.jobId ?? null,
      f.since ?? null,
      f.status ?? null,
      f.limit,
      f.group ?? null,
    ],
  );
  return rows;
}
