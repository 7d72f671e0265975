import type { Queryable } from "../../db/types";

/** A delivery claimed for an attempt, with everything its send needs. */
export interface ClaimedDelivery {
  id: string;
  alert_id: string;
  user_id: string;
  channel: "email" | "webhook";
  webhook_id: string | null;
  /** This attempt's number (the claim counted it). */
  attempts: number;
  /** The send slot this delivery reserved on a paced webhook, if it waited for one. */
  send_slot: Date | null;
  alert_type: string;
  title: string;
  message: string;
  job_id: string | null;
  data: Record<string, unknown>;
  alert_created_at: Date;
  /** When the event behind the alert arrived (the alert's own time for reports and notices). */
  event_received_at: Date;
  url: string | null;
  secret: string | null;
  webhook_type: string | null;
  webhook_enabled: boolean | null;
  /** Nothing goes to the webhook before this (it answered 429). */
  held_until: Date | null;
  email: string | null;
}

/**
 * Claims up to `limit` due deliveries in one statement: pending, deferred or
 * retrying rows whose `next_attempt_at` has come, oldest first, and sends
 * whose lease ran out (their worker died, or is too slow to be trusted).
 * `for update skip locked` lets any number of workers claim at once without
 * waiting on each other; the lease is set in the same statement. Each claim
 * counts an attempt, a takeover too: the lost attempt's late outcome then no
 * longer matches and cannot be recorded over the new one.
 */
export async function claimDueDeliveries(
  db: Queryable,
  p: { now: Date; leaseUntil: Date; limit: number },
): Promise<ClaimedDelivery[]> {
  const { rows } = await db.query<ClaimedDelivery>(
    `with due as (
       select id, next_attempt_at as at from alert_deliveries
       where status in ('pending', 'deferred', 'retrying') and next_attempt_at <= $1
       order by next_attempt_at
       limit $3
       for update skip locked
     ),
     lost as (
       select id, lease_until as at from alert_deliveries
       where status = 'sending' and lease_until < $1
       order by lease_until
       limit $3
       for update skip locked
     ),
     picked as (
       select id from (select * from lost union all select * from due) x order by at limit $3
     ),
     claimed as (
       update alert_deliveries d
       set status = 'sending', attempts = d.attempts + 1, lease_until = $2, updated_at = $1
       where d.id = any(array(select id from picked))
       returning d.id, d.alert_id, d.user_id, d.channel, d.webhook_id, d.attempts, d.send_slot
     )
     select c.id, c.alert_id, c.user_id, c.channel, c.webhook_id, c.attempts, c.send_slot,
            a.alert_type, a.title, a.message, a.job_id, a.data, a.created_at as alert_created_at,
            coalesce(e.received_at, a.created_at) as event_received_at,
            w.url, w.secret, w.webhook_type, w.enabled as webhook_enabled, w.held_until,
            coalesce(nullif(p.email_address, ''), u.email) as email
     from claimed c
     join alert_history a on a.id = c.alert_id
     left join alert_events e on e.id = a.event_id
     left join user_webhooks w on w.id = c.webhook_id
     left join user_alert_preferences p on p.user_id = c.user_id
     left join auth.users u on u.id = c.user_id
     order by a.created_at, c.id`,
    [p.now, p.leaseUntil, p.limit],
  );
  return rows;
}
