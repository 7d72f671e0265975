import { randomUUID } from "node:crypto";
import { getWebhookTarget, testWebhook, uuid } from "@/lib/alerts";
import { withUser } from "@/lib/db/with-user";
import { HttpError } from "@/lib/http/errors";
import { json, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/**
 * Sends a sample alert to the webhook now and answers what happened:
 * `{ ok, status_code, duration_ms, error }`. Works on disabled webhooks too
 * (that is how a user checks a fix before enabling it again) and leaves the
 * webhook's delivery statistics alone. It goes through the same channel
 * registry as the worker; a webhook the deployment cannot decrypt answers
 * `ok: false` with the operator error, never a 500.
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
  const result = await testWebhook(
    { config: ctx.config, clock: ctx.clock, log: ctx.log },
    { webhookId: id, ...target },
    { deliveryId: `test_${randomUUID()}`, jobId: randomUUID() },
  );
  return json({
    ok: result.verdict === "delivered",
    status_code: result.statusCode,
    duration_ms: result.durationMs,
    error: result.error,
  });
});
