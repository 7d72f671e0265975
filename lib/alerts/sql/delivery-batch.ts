import type { Queryable } from "../../db/types";
import type { ClaimedDelivery } from "./deliveries";

/**
 * Takes deliveries for an attempt, a whole batch of jobs in one statement: each
 * `{ id, attempt }` is taken under the same rule (pending with that attempt
 * count, or sending with an expired lease). Stale jobs simply find nothing.
 * Each claim counts an attempt, a takeover too: the lost attempt's late
 * outcome then no longer matches and cannot be recorded over the new one.
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
       set status = 'sending', attempts = d.attempts + 1, lease_until = $4, updated_at = $3
       from req r
       where d.id = r.id
         and ((d.status = 'pending' and d.attempts = r.attempt)
           or (d.status = 'sending' and d.attempts = r.attempt + 1 and d.lease_until < $3))
       returning d.*
     )
     select c.id, c.alert_id, c.user_id, c.channel, c.webhook_id, c.attempts, c.send_slot,
            a.alert_type, a.title, a.message, a.job_id, a.data, a.created_at as alert_created_at,
            w.url, w.secret, w.webhook_type, w.enabled as webhook_enabled, w.held_until,
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
 * Hands claimed deliveries back untouched but for a wait: the attempt count
 * returns to what it was (nothing was sent) and `releaseDue` enqueues each
 * again at its `at`, holding the send slot `send_slot` (reserved on a paced
 * webhook; null for none). Used when a destination already has its share of
 * sends in flight in this worker, when the webhook is held after a 429, and
 * when the delivery's reserved slot is still to come.
 */
export async function postponeDeliveries(
  db: Queryable,
  claimed: readonly { id: string; attempts: number; at: Date; send_slot: Date | null }[],
  now: Date,
): Promise<number> {
  if (claimed.length === 0) return 0;
  const { rowCount } = await db.query(
    `update alert_deliveries d
     set status = 'retrying', attempts = r.attempts - 1, lease_until = null,
         next_attempt_at = r.at, send_slot = r.slot,
         updated_at = $5
     from unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::timestamptz[]) as r(id, attempts, at, slot)
     where d.id = r.id and d.status = 'sending' and d.attempts = r.attempts`,
    [
      claimed.map((c) => c.id),
      claimed.map((c) => c.attempts),
      claimed.map((c) => c.at),
      claimed.map((c) => c.send_slot),
      now,
    ],
  );
  return rowCount;
}

/**
 * Reserves send slots on paced webhooks: `count` consecutive slots `spacingMs`
 * apart each, from the webhook's first free slot (or now). Answers the first
 * slot reserved per webhook; concurrent workers queue on the row lock, so
 * their slots never overlap.
 */
export async function reserveSendSlots(
  db: Queryable,
  requests: readonly { webhookId: string; count: number; spacingMs: number }[],
  now: Date,
): Promise<Map<string, Date>> {
  if (requests.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; first_slot: Date }>(
    `with r as (
       select * from unnest($1::uuid[], $2::int[], $3::int[]) as r(id, n, spacing_ms) order by id
     ),
     locked as (
       select w.id,
              greatest(coalesce(w.send_after, $4), coalesce(w.held_until, $4), $4::timestamptz) as first_slot
       from user_webhooks w join r on r.id = w.id
       order by w.id
       for no key update of w
     )
     update user_webhooks w
     set send_after = l.first_slot + make_interval(secs => r.n * r.spacing_ms / 1000.0)
     from r, locked l
     where w.id = r.id and l.id = r.id
     returning w.id, l.first_slot`,
    [
      requests.map((r) => r.webhookId),
      requests.map((r) => r.count),
      requests.map((r) => r.spacingMs),
      now,
    ],
  );
  return new Map(rows.map((r) => [r.id, new Date(r.first_slot)]));
}

/** Holds back every delivery to a webhook until `until` (a 429 asked for that long). */
export async function holdWebhook(db: Queryable, webhookId: string, until: Date): Promise<void> {
  await db.query(
    "update user_webhooks set held_until = greatest(coalesce(held_until, $2), $2) where id = $1",
    [webhookId, until],
  );
}
