import type { Queryable } from "../../db/types";

/** Webhook health after successful deliveries: consecutive failures start again from zero. */
export async function markWebhooksSucceeded(
  db: Queryable,
  successes: readonly { webhookId: string; statusCode: number | null }[],
  now: Date,
): Promise<void> {
  if (successes.length === 0) return;
  await db.query(
    `update user_webhooks w set ${webhookSucceeded("$3", "r.code")}
     from (select distinct on (id) id, code from unnest($1::uuid[], $2::int[]) with ordinality as u(id, code, n)
           order by id, n desc) r
     where w.id = r.id`,
    [successes.map((s) => s.webhookId), successes.map((s) => s.statusCode), now],
  );
}

/** What a success sets on a webhook, at `now` with the answer's `code` (SQL expressions). */
export const webhookSucceeded = (now: string, code: string) =>
  `last_success_at = ${now}, failure_count = 0, last_status_code = ${code}, last_error = null`;
