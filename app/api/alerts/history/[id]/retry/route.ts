import { refreshAlertSummary, retryFailedDeliveries, uuid } from "@/lib/alerts";
import { withUser } from "@/lib/db/with-user";
import { HttpError } from "@/lib/http/errors";
import { json, route } from "@/lib/http/route";
import { notifyDeliveries } from "@/lib/queue/queue";

export const dynamic = "force-dynamic";

/**
 * Re-sends the alert's failed deliveries now (those waiting for a scheduled
 * retry too), with the same `webhook-id`. 202 `{ alert_id, retried }`; 404
 * for another user's alert; 409 when nothing of it failed.
 */
export const POST = route({ access: "user" }, async ({ ctx, user, params }) => {
  const id = params.id ?? "";
  const owned =
    uuid.safeParse(id).success &&
    (await withUser(ctx.db, user.userId, async (tx) => {
      const { rows } = await tx.query("select 1 from alert_history where id = $1", [id]);
      return rows.length > 0;
    }));
  if (!owned) {
    throw new HttpError(
      "not_found",
      "No alert with this id exists for you; list yours with GET /api/alerts/history.",
    );
  }
  const now = ctx.clock();
  // Deliveries are written by the engine's role, for this user's alert only.
  const retried = await ctx.db.transaction(async (tx) => {
    const ids = await retryFailedDeliveries(tx, { userId: user.userId, alertId: id, now });
    if (ids.length > 0) {
      await refreshAlertSummary(tx, [id]);
      await notifyDeliveries(tx);
    }
    return ids;
  });
  if (retried.length === 0) {
    throw new HttpError(
      "conflict",
      "Nothing to retry: none of this alert's deliveries failed or is waiting for a retry.",
    );
  }
  return json({ alert_id: id, retried: retried.length }, 202);
});
