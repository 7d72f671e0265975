import {
  deleteWebhook,
  getWebhook,
  toWebhookWrite,
  updateWebhook,
  uuid,
  type WebhookPatch,
  webhookCreateSchema,
  webhookPatchSchema,
} from "@/lib/alerts";
import { withUser } from "@/lib/db/with-user";
import { HttpError } from "@/lib/http/errors";
import { json, noContent, type RouteInput, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** The webhook id from the path; a malformed id cannot name a row, so it is 404. */
function webhookId(params: Record<string, string>): string {
  const id = params.id ?? "";
  if (!uuid.safeParse(id).success) throw notFound();
  return id;
}

const notFound = () =>
  new HttpError(
    "not_found",
    "No webhook with this id exists for you; list yours with GET /api/alerts/webhooks.",
  );

export const GET = route({ access: "user" }, async ({ ctx, user, params }) => {
  const id = webhookId(params);
  const found = await withUser(ctx.db, user.userId, (tx) => getWebhook(tx, id));
  if (!found) throw notFound();
  return json(found);
});

/**
 * PATCH and PUT write the same way; they differ in what the body may omit.
 * The stored type is read first: a URL or secret is checked against the type
 * it will be used with.
 */
function writeWebhook(mode: "patch" | "replace") {
  return async (input: RouteInput<"user", WebhookPatch, undefined>): Promise<Response> => {
    const { ctx, user, params, body } = input;
    const id = webhookId(params);
    const updated = await withUser(ctx.db, user.userId, async (tx) => {
      const current = await getWebhook(tx, id);
      if (!current) return undefined;
      const { write, generatedSecret } = toWebhookWrite(body, ctx.config, {
        mode,
        currentType: current.webhook_type,
      });
      const row = await updateWebhook(tx, id, write);
      return row && { row, generatedSecret };
    });
    if (!updated) throw notFound();
    const { row, generatedSecret } = updated;
    return json(generatedSecret ? { ...row, secret: generatedSecret } : row);
  };
}

/** Changes the given fields. */
export const PATCH = route({ access: "user", body: webhookPatchSchema }, writeWebhook("patch"));

/** Replaces the webhook; omitted fields take their defaults (an omitted secret is kept). */
export const PUT = route({ access: "user", body: webhookCreateSchema }, writeWebhook("replace"));

export const DELETE = route({ access: "user" }, async ({ ctx, user, params }) => {
  const id = webhookId(params);
  const deleted = await withUser(ctx.db, user.userId, (tx) => deleteWebhook(tx, id));
  if (!deleted) throw notFound();
  return noContent();
});
