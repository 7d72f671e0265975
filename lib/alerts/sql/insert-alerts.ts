import type { Queryable } from "../../db/types";
import type { AlertStatus, DeliveryStatus } from "../alert.types";

export interface NewAlertRow {
  /** Chosen by the caller (randomUUID), so alerts and their deliveries go in one batch each. */
  id: string;
  userId: string;
  eventId: string | null;
  type: string;
  title: string;
  message: string;
  jobId: string | null;
  data: Record<string, unknown>;
  status: AlertStatus;
  deferredUntil: Date | null;
  suppressedReason: string | null;
  deliveries: {
    /** Chosen by the caller when it refers to the row in the same transaction (grouping); else generated. */
    id?: string;
    channel: "email" | "webhook";
    webhookId: string | null;
    status: DeliveryStatus;
    lastError: string | null;
    nextAttemptAt: Date | null;
  }[];
}

/**
 * Writes many alerts and all their delivery rows in one statement, the two
 * inserts as sibling CTEs (the delivery rows' foreign key is checked at the
 * statement's end, after both): the history rows travel as one JSON document
 * (a report's data is a few KB of JSON, which as a text[] parameter would be
 * escaped element by element), the deliveries as arrays. A delivery due now
 * or later is on the queue the moment this commits.
 */
export async function insertAlerts(
  db: Queryable,
  alerts: readonly NewAlertRow[],
  now: Date,
): Promise<void> {
  if (alerts.length === 0) return;
  const rows = alerts.flatMap((a) =>
    a.deliveries.map((d) => ({ ...d, alertId: a.id, userId: a.userId })),
  );
  await db.query(
    `with history as (
       insert into alert_history (id, user_id, event_id, alert_type, title, message, job_id, data,
                                  status, deferred_until, suppressed_reason, created_at)
       select a.id, a.user_id, a.event_id, a.alert_type, a.title, a.message, a.job_id, a.data,
              a.status, a.deferred_until, a.suppressed_reason, $2
       from jsonb_to_recordset($1::jsonb)
         as a(id uuid, user_id uuid, event_id uuid, alert_type text, title text, message text,
              job_id uuid, data jsonb, status text, deferred_until timestamptz, suppressed_reason text)
     ), deliveries as (
       insert into alert_deliveries (id, alert_id, user_id, channel, webhook_id, status, last_error,
                                     next_attempt_at, created_at, updated_at)
       select coalesce(d.id, gen_random_uuid()), d.alert_id, d.user_id, d.channel, d.webhook_id,
              d.status, d.last_error, d.next_at, $2, $2
       from unnest($3::uuid[], $4::uuid[], $5::text[], $6::uuid[], $7::text[], $8::text[],
                   $9::timestamptz[], $10::uuid[])
         as d(alert_id, user_id, channel, webhook_id, status, last_error, next_at, id)
     )
     select`,
    [
      JSON.stringify(
        alerts.map((a) => ({
          id: a.id,
          user_id: a.userId,
          event_id: a.eventId,
          alert_type: a.type,
          title: a.title,
          message: a.message,
          job_id: a.jobId,
          data: a.data,
          status: a.status,
          deferred_until: a.deferredUntil,
          suppressed_reason: a.suppressedReason,
        })),
      ),
      now,
      rows.map((d) => d.alertId),
      rows.map((d) => d.userId),
      rows.map((d) => d.channel),
      rows.map((d) => d.webhookId),
      rows.map((d) => d.status),
      rows.map((d) => d.lastError),
      rows.map((d) => d.nextAttemptAt),
      rows.map((d) => d.id ?? null),
    ],
  );
}
