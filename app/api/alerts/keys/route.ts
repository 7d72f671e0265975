import { keyCreateSchema } from "@/lib/alerts/api/keys.schema";
import { insertProducerKey } from "@/lib/alerts/sql/insert-producer-key";
import { listProducerKeys } from "@/lib/alerts/sql/list-producer-keys";
import { withUser } from "@/lib/db/with-user";
import { HttpError } from "@/lib/http/errors";
import { generateProducerKey, MAX_PRODUCER_KEYS_PER_USER } from "@/lib/http/producer-keys";
import { json, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** The caller's producer keys (never the keys themselves). */
export const GET = route({ access: "user" }, async ({ ctx, user }) =>
  json({ items: await withUser(ctx.db, user.userId, (tx) => listProducerKeys(tx, user.userId)) }),
);

/** Creates a producer key; the answer is the only place the key is ever shown. */
export const POST = route(
  { access: "user", body: keyCreateSchema },
  async ({ ctx, user, body }) => {
    const { key, prefix, hash } = generateProducerKey();
    const created = await ctx.db.transaction((tx) =>
      insertProducerKey(
        tx,
        { userId: user.userId, name: body.name, prefix, hash, now: ctx.clock() },
        MAX_PRODUCER_KEYS_PER_USER,
      ),
    );
    if (!created) {
      throw new HttpError(
        "validation_failed",
        `You already have ${MAX_PRODUCER_KEYS_PER_USER} API keys, the most allowed; revoke one before creating another.`,
        {
          errors: [
            { path: "(root)", message: `at most ${MAX_PRODUCER_KEYS_PER_USER} API keys per user` },
          ],
        },
      );
    }
    return json(
      { id: created.id, name: created.name, key, prefix, created_at: created.created_at },
      201,
      { location: `/api/alerts/keys/${created.id}` },
    );
  },
);
