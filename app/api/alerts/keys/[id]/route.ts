import { uuid } from "@/lib/alerts/api/fields";
import { deleteProducerKey } from "@/lib/alerts/sql/delete-producer-key";
import { HttpError } from "@/lib/http/errors";
import { noContent, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Revokes a producer key at once: its next request is 401. */
export const DELETE = route({ access: "user" }, async ({ ctx, user, params }) => {
  const id = params.id ?? "";
  const found = uuid.safeParse(id).success && (await deleteProducerKey(ctx.db, user.userId, id));
  if (!found) throw new HttpError("not_found", "You have no API key with this id.");
  return noContent();
});
