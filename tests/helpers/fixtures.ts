import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { PUT as putPrefs } from "@/app/api/alerts/preferences/route";
import { POST as createWebhook } from "@/app/api/alerts/webhooks/route";
import type { Queryable } from "@/lib/db/types";
import { call, makeUngroupedUser, makeUser, SERVICE_KEY, type TestApp } from "./app";

/**
 * A new user with one webhook at `url` that takes job_started alerts (and the
 * seed's defaults for the rest), created through the API. `body` adds or
 * overrides fields (`secret: "generate"`, `webhook_type`, flags). With
 * `ungrouped`, the user's grouping window is 0 (every alert goes out on its
 * own, as before grouping): for tests of each alert's own delivery. With
 * `emailOff`, the user's email channel is off, so the webhook is the alerts'
 * only delivery.
 */
export async function userWithWebhook(
  app: TestApp,
  url: string,
  body: Record<string, unknown> = {},
  options: { ungrouped?: boolean; emailOff?: boolean } = {},
) {
  const user = options.ungrouped ? await makeUngroupedUser(app) : await makeUser(app);
  if (options.emailOff) {
    const prefs = await call(putPrefs, "PUT", "/api/alerts/preferences", {
      token: user.token,
      body: { email_enabled: false },
    });
    expect(prefs.status).toBe(200);
  }
  const res = await call(createWebhook, "POST", "/api/alerts/webhooks", {
    token: user.token,
    body: { name: "receiver", url, webhook_type: "generic", alert_job_started: true, ...body },
  });
  expect(res.status).toBe(201);
  // The generated secret is shown once, in this answer (undefined without `secret: "generate"`).
  return { user, webhookId: res.body.id as string, secret: res.body.secret as string };
}

/** Posts a job_started event about a new job for the user, as a training server would (the service key); answers its event id. */
export async function postJobStarted(userId: string): Promise<string> {
  const res = await call(postEvent, "POST", "/api/alerts/events", {
    token: SERVICE_KEY,
    body: { type: "job_started", user_id: userId, job_id: randomUUID(), data: { model_name: "m" } },
  });
  expect(res.status).toBe(202);
  return res.body.event_id as string;
}

/** How many of the user's deliveries are recorded as delivered. */
export async function deliveredCount(db: Queryable, userId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    "select count(*)::int as n from alert_deliveries where user_id = $1 and status = 'delivered'",
    [userId],
  );
  return rows[0]?.n ?? 0;
}
