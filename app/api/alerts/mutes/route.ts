import { MAX_MUTE_MS, MUTE_DURATIONS, muteCreateSchema } from "@/lib/alerts/api/mutes.schema";
import { listActiveMutes } from "@/lib/alerts/sql/list-active-mutes";
import { upsertMute } from "@/lib/alerts/sql/upsert-mute";
import { withUser } from "@/lib/db/with-user";
import { HttpError } from "@/lib/http/errors";
import { json, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** The caller's mutes in force, ending soonest first. Read as the user, under RLS. */
export const GET = route({ access: "user" }, async ({ ctx, user }) => {
  const items = await withUser(ctx.db, user.userId, (tx) =>
    listActiveMutes(tx, user.userId, ctx.clock()),
  );
  return json({ items });
});

/**
 * Mutes a job, a group label or an alert type for 1 h / 8 h / 24 h or until
 * a time: matching alerts are recorded as `muted` and not sent. Muting the
 * same thing again moves its end. 201 with the mute.
 */
export const POST = route(
  { access: "user", body: muteCreateSchema },
  async ({ ctx, user, body }) => {
    const now = ctx.clock();
    const until = body.duration
      ? new Date(now.getTime() + MUTE_DURATIONS[body.duration] * 3600_000)
      : new Date(body.until ?? "");
    if (until.getTime() <= now.getTime()) throw HttpError.field("until", "must be in the future");
    if (until.getTime() - now.getTime() > MAX_MUTE_MS) {
      throw HttpError.field(
        "until",
        "must be within a year; to stop a type for good, turn it off in your preferences",
      );
    }
    // alert_mutes is read-only to the authenticated role; the API writes it, for the caller only.
    const mute = await upsertMute(ctx.db, {
      userId: user.userId,
      scope: body.scope,
      value: body.scope === "job" ? body.value.toLowerCase() : body.value,
      until,
      via: "web",
      now,
    });
    return json(mute, 201);
  },
);
