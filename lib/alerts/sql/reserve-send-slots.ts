import type { Queryable } from "../../db/types";

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
