import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as testWebhook } from "@/app/api/alerts/webhooks/[id]/test/route";
import { GET as health } from "@/app/api/health/route";
import { OPERATOR_RETRY_MS } from "@/lib/alerts/delivery/retry-policy";
import { URL_PURPOSE } from "@/lib/alerts/webhook-input";
import { encrypt } from "@/lib/security/encryption";
import { call, startTestApp, type TestApp } from "./helpers/app";
import { manualEngine } from "./helpers/engine";
import { postJobStarted, userWithWebhook } from "./helpers/fixtures";
import { startReceiver } from "./helpers/receiver";

let app: TestApp;
let engine: Awaited<ReturnType<typeof manualEngine>>;
beforeAll(async () => {
  app = await startTestApp({
    ALERTS_WEBHOOK_ALLOW_HTTP: "true",
    ALERTS_WEBHOOK_ALLOWED_CIDRS: "127.0.0.0/8",
    ALERTS_WEBHOOK_DISABLE_AFTER: "2",
  });
  engine = await manualEngine(app);
});
afterAll(async () => {
  await engine?.stop();
  await app?.close();
});

/** A key the deployment no longer has (an old key removed from ALERTS_ENCRYPTION_KEYS_OLD). */
const GONE_KEY = [{ id: "gone", key: Buffer.alloc(32, 9) }];

describe("a webhook the deployment cannot decrypt", () => {
  it("is an operator error: the delivery keeps retrying, the webhook is not charged, health shows it, and the test endpoint answers without a 500", async () => {
    const receiver = await startReceiver();
    try {
      const { user, webhookId } = await userWithWebhook(
        app,
        `${receiver.url}/hook`,
        { name: "locked" },
        { emailOff: true },
      );
      await app.ctx.db.query("update user_webhooks set url = $2 where id = $1", [
        webhookId,
        encrypt(GONE_KEY, `${receiver.url}/hook`, URL_PURPOSE),
      ]);

      // More attempts than ALERTS_WEBHOOK_DISABLE_AFTER, each a retry.
      await postJobStarted(user.id);
      const start = app.ctx.clock();
      for (let i = 0; i < 4; i++) {
        app.setNow(new Date(start.getTime() + i * OPERATOR_RETRY_MS));
        await engine.drain();
      }
      const { rows } = await app.ctx.db.query<{
        status: string;
        attempts: number;
        last_error: string;
        next_attempt_at: Date;
      }>(
        "select status, attempts, last_error, next_attempt_at from alert_deliveries where user_id = $1",
        [user.id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: "retrying", attempts: 4 });
      expect(rows[0]?.last_error).toMatch(/^operator error: cannot decrypt the webhook/);
      expect(rows[0]?.next_attempt_at).toEqual(
        new Date(start.getTime() + 3 * OPERATOR_RETRY_MS + OPERATOR_RETRY_MS),
      );
      const { rows: hooks } = await app.ctx.db.query(
        "select enabled, failure_count, last_failure_at from user_webhooks where id = $1",
        [webhookId],
      );
      expect(hooks[0]).toEqual({ enabled: true, failure_count: 0, last_failure_at: null });
      expect(receiver.requests).toHaveLength(0);

      const status = await call(health, "GET", "/api/health");
      expect(status.status).toBe(200);
      expect(status.body.operator_errors).toBe(1);

      const tested = await call(testWebhook, "POST", `/api/alerts/webhooks/${webhookId}/test`, {
        token: user.token,
        params: { id: webhookId },
      });
      expect(tested.status).toBe(200);
      expect(tested.body).toMatchObject({
        ok: false,
        status_code: null,
        error: expect.stringMatching(/^operator error: cannot decrypt/),
      });
    } finally {
      await receiver.close();
    }
  });
});
