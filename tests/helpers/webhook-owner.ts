import { expect } from "vitest";
import { PUT as putPrefs } from "@/app/api/alerts/preferences/route";
import { call, makeUngroupedUser, makeUser, type TestApp, type TestUser } from "./app";
import type { manualEngine } from "./engine";

/**
 * A new user whose email address is `<id>@example.com`, so the mails the
 * engine sends them (a disabled webhook's notice) can be picked out.
 * `ungrouped`: grouping off, every alert its own message.
 */
export async function webhookOwner(
  app: TestApp,
  options: { ungrouped?: boolean } = {},
): Promise<TestUser> {
  const user = options.ungrouped ? await makeUngroupedUser(app) : await makeUser(app);
  const res = await call(putPrefs, "PUT", "/api/alerts/preferences", {
    token: user.token,
    body: { email_address: `${user.id}@example.com` },
  });
  expect(res.status).toBe(200);
  return user;
}

/** A webhook's stored state, read as the owner connection. */
export async function webhookRow(app: TestApp, id: string) {
  const { rows } = await app.ctx.db.query<{
    enabled: boolean;
    failure_count: number;
    disabled_reason: string | null;
    last_success_at: Date | null;
    last_failure_at: Date | null;
    url: string;
    url_masked: string;
  }>(
    `select enabled, failure_count, disabled_reason, last_success_at, last_failure_at, url, url_masked
     from user_webhooks where id = $1`,
    [id],
  );
  return rows[0];
}

/** The webhook was disabled because its destination no longer exists, and its owner was emailed. */
export async function expectDisabledAndOwnerEmailed(
  app: TestApp,
  engine: Awaited<ReturnType<typeof manualEngine>>,
  user: TestUser,
  webhookId: string,
): Promise<void> {
  expect(await webhookRow(app, webhookId)).toMatchObject({
    enabled: false,
    disabled_reason: expect.stringContaining("no longer exists"),
  });
  expect(
    engine.mails.some(
      (m) => m.to.includes(`${user.id}@example.com`) && m.raw.includes("Webhook disabled"),
    ),
  ).toBe(true);
}
