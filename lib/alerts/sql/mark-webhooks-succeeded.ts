import type { Queryable } from "../../db/types";

/** Webhook health after successful deliveries: consecutive failures start again from zero. */
export async function markWebhooksSucceeded(
  db: Queryable,
  successes: readonly { webhookId: string; statusCode: number | null }[],
  now: Date,
): Promise<void> {
  if (successes.length === 0) return;
  await db.query(
    `update user_webhooks w set last_success_at = $3, failure_count = 0,
       last_status_code = r.code, last_error = null
     from (select distinct on (id) id, code from unnest($1::uuid[], $2::int[]) with ordinality as u(id, code, n)
           order by id, n desc) r
     where w.id = r.id`,
    [successes.map((s) => s.webhookId), successes.map((s) => s.statusCode), now],
  );
}
