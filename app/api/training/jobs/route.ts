import { decodeCursor, encodeCursor, jobsQuerySchema, listJobs } from "@/lib/alerts";
import { withUser } from "@/lib/db/with-user";
import { json, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** The caller's jobs, newest first, paged by keyset on (created_at, id). */
export const GET = route(
  { access: "user", query: jobsQuerySchema },
  async ({ ctx, user, query }) => {
    const rows = await withUser(ctx.db, user.userId, (tx) =>
      listJobs(tx, user.userId, {
        status: query.status,
        group: query.group,
        since: query.since,
        q: query.q?.trim() || undefined,
        after: query.cursor ? decodeCursor(query.cursor) : undefined,
        limit: query.limit + 1,
        now: ctx.clock(),
      }),
    );
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return json({
      items: page.map((r) => r.item),
      next_cursor: rows.length > query.limit && last ? encodeCursor(last.cursor_ts, last.id) : null,
    });
  },
);
