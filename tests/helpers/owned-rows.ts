import { randomUUID } from "node:crypto";
import type { Db } from "@/lib/db/types";

/** The tables a user owns rows of, each seeded with one row by `seedOwnedRows`. */
export type OwnedTable =
  | "user_alert_preferences"
  | "user_webhooks"
  | "alert_history"
  | "alert_events"
  | "alert_deliveries"
  | "training_jobs"
  | "report_runs";

/**
 * Inserts, as the owner connection (RLS does not apply), a user and one row of
 * every table a user owns — and a dedupe key, which no user may read — for the
 * isolation tests to look for. Answers each row's id (`report_runs`: its key).
 */
export async function seedOwnedRows(db: Db, userId: string): Promise<Record<OwnedTable, string>> {
  await db.query("insert into auth.users (id, email) values ($1, $2)", [
    userId,
    `${userId}@example.com`,
  ]);
  const one = async (sql: string, params: unknown[]) =>
    (await db.query<{ id: string }>(sql, params)).rows[0]?.id as string;
  const webhook = await one(
    `insert into user_webhooks (user_id, name, url, url_masked, secret)
     values ($1, 'Slack', 'ciphertext-of-the-url', 'https://hooks.slack.com/…', 'ciphertext-of-the-secret')
     returning id`,
    [userId],
  );
  const alert = await one(
    `insert into alert_history (user_id, alert_type, title, message, webhook_id)
     values ($1, 'job_completed', 'Done', 'The job finished', $2) returning id`,
    [userId, webhook],
  );
  await db.query(
    "insert into alert_dedupe (user_id, key, event_id) values ($1, 'job:x:job_completed', $2)",
    [userId, randomUUID()],
  );
  return {
    user_alert_preferences: await one(
      "insert into user_alert_preferences (user_id) values ($1) returning id",
      [userId],
    ),
    user_webhooks: webhook,
    alert_history: alert,
    alert_events: await one(
      "insert into alert_events (type, user_id, alert_id) values ('job_completed', $1, $2) returning id",
      [userId, alert],
    ),
    alert_deliveries: await one(
      `insert into alert_deliveries (alert_id, user_id, channel, webhook_id)
       values ($1, $2, 'webhook', $3) returning id`,
      [alert, userId, webhook],
    ),
    training_jobs: await one(
      "insert into training_jobs (user_id, model_name) values ($1, 'gpt-small') returning id",
      [userId],
    ),
    report_runs: await one(
      `insert into report_runs (key, user_id, kind, local_date, timezone, due_at, period_start, period_end)
       values ('daily:' || $1 || ':2026-03-01', $1::uuid, 'daily', '2026-03-01', 'UTC', now(), now(), now())
       returning key as id`,
      [userId],
    ),
  };
}
