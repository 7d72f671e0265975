import { getOrCreatePreferences, preferencesUpdateSchema, upsertPreferences } from "@/lib/alerts";
import { withUser } from "@/lib/db/with-user";
import { HttpError } from "@/lib/http/errors";
import { json, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** The caller's preferences; the seed's defaults on first read. */
export const GET = route({ access: "user" }, async ({ ctx, user }) =>
  json(await withUser(ctx.db, user.userId, (tx) => getOrCreatePreferences(tx, user.userId))),
);

/** Updates any subset of the preference fields. */
export const PUT = route(
  { access: "user", body: preferencesUpdateSchema },
  async ({ ctx, user, body }) => {
    try {
      return json(
        await withUser(ctx.db, user.userId, (tx) => upsertPreferences(tx, user.userId, body)),
      );
    } catch (error) {
      // The runtime's ICU data passed the name; the database's zone files
      // (migration 0008's check) do not know it.
      if (
        (error as { constraint?: string }).constraint === "user_alert_preferences_timezone_check"
      ) {
        throw HttpError.field(
          "timezone",
          "is a time zone this server's database does not know; choose another IANA name for the same place",
        );
      }
      throw error;
    }
  },
);
