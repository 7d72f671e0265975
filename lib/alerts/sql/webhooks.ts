import type { Queryable } from "../../db/types";
import { ALERT_FLAGS, type AlertFlag, type WebhookType, type WebhookView } from "../alert.types";

const VIEW = `id, name, url_masked as url, webhook_type, (secret is not null) as has_secret,
  ${ALERT_FLAGS.join(", ")}, enabled, disabled_reason, last_success_at, last_failure_at,
  last_status_code, last_error, failure_count, created_at, updated_at`;

/** Columns the API may write; `url` and `secret` hold ciphertext. */
export type WebhookWrite = Partial<Record<AlertFlag, boolean>> & {
  name?: string;
  url?: string;
  url_masked?: string;
  webhook_type?: WebhookType;
  secret?: string | null;
  enabled?: boolean;
};

export async function listWebhooks(db: Queryable, userId: string): Promise<WebhookView[]> {
  const { rows } = await db.query<WebhookView>(
    `select ${VIEW} from user_webhooks where user_id = $1 order by created_at, id`,
    [userId],
  );
  return rows;
}

export async function getWebhook(db: Queryable, id: string): Promise<WebhookView | undefined> {
  const { rows } = await db.query<WebhookView>(`select ${VIEW} from user_webhooks where id = $1`, [
    id,
  ]);
  return rows[0];
}

/**
 * Inserts a webhook unless the user already has `max`; undefined then. The
 * advisory lock serialises a user's concurrent creates so the cap holds.
 */
export async function insertWebhook(
  db: Queryable,
  userId: string,
  values: WebhookWrite & { name: string; url: string; url_masked: string },
  max: number,
): Promise<WebhookView | undefined> {
  await db.query("select pg_advisory_xact_lock(hashtextextended($1, 7394002))", [userId]);
  const names = Object.keys(values).filter((k) => values[k as keyof WebhookWrite] !== undefined);
  const params = names.map((k) => values[k as keyof WebhookWrite]);
  const { rows } = await db.query<WebhookView>(
    `insert into user_webhooks (user_id, ${names.join(", ")})
     select $1, ${names.map((_, i) => `$${i + 3}`).join(", ")}
     where (select count(*) from user_webhooks where user_id = $1) < $2
     returning ${VIEW}`,
    [userId, max, ...params],
  );
  return rows[0];
}

/**
 * Updates the given columns. A new URL or re-enabling starts the webhook's
 * health afresh: the failures belonged to the old state.
 */
export async function updateWebhook(
  db: Queryable,
  id: string,
  values: WebhookWrite,
): Promise<WebhookView | undefined> {
  const names = Object.keys(values).filter((k) => values[k as keyof WebhookWrite] !== undefined);
  const params = names.map((k) => values[k as keyof WebhookWrite]);
  const reset =
    values.url !== undefined || values.enabled === true
      ? `, failure_count = 0, disabled_reason = null, disabled_at = null`
      : "";
  const { rows } = await db.query<WebhookView>(
    `update user_webhooks set
       ${names.map((n, i) => `${n} = $${i + 2}`).join(", ")}${names.length ? "," : ""}
       updated_at = now()${reset}
     where id = $1
     returning ${VIEW}`,
    [id, ...params],
  );
  return rows[0];
}

export async function deleteWebhook(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query("delete from user_webhooks where id = $1", [id]);
  return rowCount > 0;
}

/** The stored (encrypted) destination of a webhook, for sending. */
export async function getWebhookTarget(
  db: Queryable,
  id: string,
): Promise<
  { id: string; url: string; secret: string | null; webhook_type: WebhookType } | undefined
> {
  const { rows } = await db.query<{
    id: string;
    url: string;
    secret: string | null;
    webhook_type: WebhookType;
  }>(
    "select id, url, secret, coalesce(webhook_type, 'generic') as webhook_type from user_webhooks where id = $1",
    [id],
  );
  return rows[0];
}
