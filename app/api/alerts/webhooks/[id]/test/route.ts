import { randomUUID } from "node:crypto";
import { uuid } from "@/lib/alerts/api/fields";
import { sendWebhook } from "@/lib/alerts/channels/webhook.channel";
import { formatWebhookBody } from "@/lib/alerts/formatters/index";
import { getWebhookTarget } from "@/lib/alerts/sql/webhooks";
import { alertText } from "@/lib/alerts/templates/alert-text";
import { SECRET_PURPOSE, URL_PURPOSE } from "@/lib/alerts/webhook-input";
import { withUser } from "@/lib/db/with-user";
import { HttpError } from "@/lib/http/errors";
import { json, route } from "@/lib/http/route";
import { decrypt } from "@/lib/security/encryption";

export const dynamic = "force-dynamic";

/**
 * Sends a sample alert to the webhook now and answers what happened:
 * `{ ok, status_code, duration_ms, error }`. Works on disabled webhooks too
 * (that is how a user checks a fix before enabling it again) and leaves the
 * webhook's delivery statistics alone.
 */
export const POST = route({ access: "user" }, async ({ ctx, user, params }) => {
  const id = params.id ?? "";
  const target = uuid.safeParse(id).success
    ? await withUser(ctx.db, user.userId, (tx) => getWebhookTarget(tx, id))
    : undefined;
  if (!target) {
    throw new HttpError(
      "not_found",
      "No webhook with this id exists for you; list yours with GET /api/alerts/webhooks.",
    );
  }
  const keys = ctx.config.encryptionKeys;
  const now = ctx.clock();
  const text = alertText("test", {});
  const jobId = randomUUID();
  const body = formatWebhookBody(target.webhook_type, {
    id: randomUUID(),
    type: "test",
    ...text,
    jobId,
    data: {
      model_name: "example-model",
      duration_seconds: 9240,
      final_loss: 0.342,
      current_step: 5000,
      total_steps: 5000,
    },
    createdAt: now,
    appUrl: ctx.config.appUrl,
  });
  const result = await sendWebhook(
    {
      url: decrypt(keys, target.url, URL_PURPOSE),
      webhookType: target.webhook_type,
      secret: target.secret ? decrypt(keys, target.secret, SECRET_PURPOSE) : null,
      messageId: `msg_test_${randomUUID()}`,
      body,
      timestamp: now,
    },
    { allowHttp: ctx.config.webhooks.allowHttp, allowedCidrs: ctx.config.webhooks.allowedCidrs },
  );
  return json({
    ok: result.ok,
    status_code: result.statusCode,
    duration_ms: result.durationMs,
    error: result.error,
  });
});
