import { uuid } from "@/lib/alerts/api/fields";
import { deleteMute } from "@/lib/alerts/sql/delete-mute";
import { HttpError } from "@/lib/http/errors";
import { noContent, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Unmutes (204). Alerts muted meanwhile stay muted in history: they are not replayed. */
export const DELETE = route({ access: "user" }, async ({ ctx, user, params }) => {
  const id = params.id ?? "";
  const deleted = uuid.safeParse(id).success && (await deleteMute(ctx.db, user.userId, id));
  if (!deleted) {
    throw new HttpError(
      "not_found",
      "No mute with this id exists for you; list yours with GET /api/alerts/mutes.",
    );
  }
  return noContent();
});
