import { preferencesUpdateSchema } from "@/lib/alerts/api/preferences.schema";
import { getOrCreatePreferences, upsertPreferences } from "@/lib/alerts/sql/preferences";
import { withUser } from "@/lib/db/with-user";
import { json, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** The caller's preferences; the seed's defaults on first read. */
export const GET = route({ access: "user" }, async ({ ctx, user }) =>
  json(await withUser(ctx.db, user.userId, (tx) => getOrCreatePreferences(tx, user.userId))),
);

/** Updates any subset of the preference fields. */
export const PUT = route(
  { access: "user", body: preferencesUpdateSchema },
  async ({ ctx, user, body }) =>
    json(await withUser(ctx.db, user.userId, (tx) => upsertPreferences(tx, user.userId, body))),
);
