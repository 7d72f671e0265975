import { decodeCursor, encodeCursor, historyQuerySchema, listHistory } from "@/lib/alerts";
import { withUser } from "@/lib/db/with-user";
import { json, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** The caller's alerts, newest first, paged by keyset on (created_at, id). */
export const GET = route(
  { access: "user", query: historyQuerySchema },
  async ({ ctx, user, query }) => {
    const rows = await withUser(ctx.db, user.userId, (tx) =>
      listHistory(tx, user.userId, {
        alertType: query.alert_type,
        status: query.status,
        jobId: query.job_id,
        since: query.since,
        group: query.group,
        after: query.cursor ? decodeCursor(query.cursor) : undefined,
        limit: query.limit + 1,
      }),
    );
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const items = page.map(({ cursor_ts: _, ...item }) => item);
    return json({
      items,
      next_cursor: rows.length > query.limit && last ? encodeCursor(last.cursor_ts, last.id) : null,
    });
  },
);
