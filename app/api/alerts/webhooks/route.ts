import {
  insertWebhook,
  listWebhooks,
  MAX_WEBHOOKS_PER_USER,
  toWebhookWrite,
  webhookCreateSchema,
} from "@/lib/alerts";
import { withUser } from "@/lib/db/with-user";
import { HttpError } from "@/lib/http/errors";
import { json, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = route({ access: "user" }, async ({ ctx, user }) =>
  json({ items: await withUser(ctx.db, user.userId, (tx) => listWebhooks(tx, user.userId)) }),
);

/** Creates a webhook; `"secret": "generate"` answers with the new secret, once. */
export const POST = route(
  { access: "user", body: webhookCreateSchema },
  async ({ ctx, user, body }) => {
    const { write, generatedSecret } = toWebhookWrite(body, ctx.config, { mode: "create" });
    const { name, url, url_masked } = write;
    if (!name || !url || !url_masked) throw new Error("create input lost its name or url");
    const created = await withUser(ctx.db, user.userId, (tx) =>
      insertWebhook(tx, user.userId, { ...write, name, url, url_masked }, MAX_WEBHOOKS_PER_USER),
    );
    if (!created) {
      throw new HttpError(
        "validation_failed",
        `You already have ${MAX_WEBHOOKS_PER_USER} webhooks, the most allowed; delete one before adding another.`,
        {
          errors: [
            { path: "(root)", message: `at most ${MAX_WEBHOOKS_PER_USER} webhooks per user` },
          ],
        },
      );
    }
    return json(generatedSecret ? { ...created, secret: generatedSecret } : created, 201, {
      location: `/api/alerts/webhooks/${created.id}`,
    });
  },
);
