import type { Queryable } from "../../db/types";
import type { ClaimedDelivery } from "./deliveries";

/**
 * `claimDelivery` for a whole batch of jobs in one statement: each
 * `{ id, attempt }` is taken under the same rule (pending with that attempt
 * count, or sending with an expired lease). Stale jobs simply find nothing.
 */
export async function claimDeliveries(
  db: Queryable,
  jobs: readonly { delivery_id: string; attempt: number }[],
  now: Date,
  leaseUntil: Date,
): Promise<ClaimedDelivery[]> {
  if (jobs.length === 0) return [];
  const { rows } = await db.query<ClaimedDelivery>(
    `with req as (
       select distinct on (id) id, attempt
       from unnest($1::uuid[], $2::int[]) as r(id, attempt)
       order by id, attempt desc
     ),
     claimed as (
       update alert_deliveries d
       set status = 'sending', attempts = r.attempt + 1, lease_until = $4, updated_at = $3
       from req r
       where d.id = r.id
         and ((d.status = 'pending' and d.attempts = r.attempt)
           or (d.status = 'sending' and d.attempts = r.attempt + 1 and d.lease_until < $3))
       returning d.*
     )
     select c.id, c.alert_id, c.user_id, c.channel, c.webhook_id, c.attempts,
            a.alert_type, a.title, a.message, a.job_id, a.data, a.created_at as alert_created_at,
            w.url, w.secret, w.webhook_type, w.enabled as webhook_enabled,
            coalesce(nullif(p.email_address, ''), u.email) as email
     from claimed c
     join alert_history a on a.id = c.alert_id
     left join user_webhooks w on w.id = c.webhook_id
     left join user_alert_preferences p on p.user_id = c.user_id
     left join auth.users u on u.id = c.user_id`,
    [jobs.map((j) => j.delivery_id), jobs.map((j) => j.attempt), now, leaseUntil],
  );
  return rows;
}

/**
 * Hands claimed deliveries back untouched but for a short wait: the attempt
 * count returns to what it was (nothing was sent) and `releaseDue` enqueues
 * them again at `at`. Used when a destination already has its share of sends
 * in flight in this worker.
 */
export async function postponeDeliveries(
  db: Queryable,
  claimed: readonly { id: string; attempts: number }[],
  at: Date,
  now: Date,
): Promise<number> {
  if (claimed.length === 0) return 0;
  const { rowCount } = await db.query(
    `update alert_deliveries d
     set status = 'retrying', attempts = r.attempts - 1, lease_until = null,
         next_attempt_at = $3, updated_at = $4
     from unnest($1::uuid[], $2::int[]) as r(id, attempts)
     where d.id = r.id and d.status = 'sending' and d.attempts = r.attempts`,
    [claimed.map((c) => c.id), claimed.map((c) => c.attempts), at, now],
  );
  return rowCount;
}
