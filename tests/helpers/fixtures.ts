import { expect } from "vitest";
import { POST as createWebhook } from "@/app/api/alerts/webhooks/route";
import { call, makeUngroupedUser, makeUser, type TestApp } from "./app";

/**
 * A new user with one webhook at `url` that takes job_started alerts (and the
 * seed's defaults for the rest), created through the API. `body` adds or
 * overrides fields (`secret: "generate"`, `webhook_type`, flags). With
 * `ungrouped`, the user's grouping window is 0 (every alert goes out on its
 * own, as before grouping): for tests of each alert's own delivery.
 */
export async function userWithWebhook(
  app: TestApp,
  url: string,
  body: Record<string, unknown> = {},
  options: { ungrouped?: boolean } = {},
) {
  const user = options.ungrouped ? await makeUngroupedUser(app) : await makeUser(app);
  const res = await call(createWebhook, "POST", "/api/alerts/webhooks", {
    token: user.token,
    body: { name: "receiver", url, webhook_type: "generic", alert_job_started: true, ...body },
  });
  expect(res.status).toBe(201);
  // The generated secret is shown once, in this answer (undefined without `secret: "generate"`).
  return { user, webhookId: res.body.id as string, secret: res.body.secret as string };
}
