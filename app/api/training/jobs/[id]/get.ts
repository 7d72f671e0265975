import { getJobDetail, jobDetailQuerySchema, jobIdParam } from "@/lib/alerts";
import { withUser } from "@/lib/db/with-user";
import { HttpError } from "@/lib/http/errors";
import { json, route } from "@/lib/http/route";

/**
 * The caller's job with its progress points, events and alerts (the job
 * page's data). Another user's job is 404, as a missing one is: RLS hides it.
 */
export const GET = route(
  { access: "user", query: jobDetailQuerySchema },
  async ({ ctx, user, params, query }) => {
    const id = jobIdParam(params);
    const detail = await withUser(ctx.db, user.userId, (tx) =>
      getJobDetail(tx, user.userId, id, { points: query.points, now: ctx.clock() }),
    );
    if (!detail) throw new HttpError("not_found", "You have no training job with this id.");
    return json(detail);
  },
);
