import {
  insertJob,
  jobIdParam,
  jobNotFound,
  jobPutSchema,
  lockJob,
  raiseLossDiverged,
  storableLoss,
  transitionProblem,
  updateJob,
} from "@/lib/alerts";
import { ensureEventUser } from "@/lib/db/users";
import { HttpError } from "@/lib/http/errors";
import { actingUserId, mayAccessJob } from "@/lib/http/producer-keys";
import { json, route } from "@/lib/http/route";
import { WAKE_CHANNEL } from "@/lib/queue/queue";
import { wakeInbox } from "@/lib/queue/wake";

export const dynamic = "force-dynamic";

/**
 * Creates (201, `user_id` required with the service key) or updates (200) a
 * training job. A status change records the job event through the table's
 * trigger, the same path a direct database write takes; an illegal transition
 * is 409. A non-finite `loss` raises `loss_diverged` and is not stored.
 */
export const PUT = route(
  { access: "service", body: jobPutSchema },
  async ({ ctx, params, caller, body }) => {
    const id = jobIdParam(params);
    const now = ctx.clock();
    const write = { ...body, loss: storableLoss(body.loss) };
    const result = await ctx.db.transaction(async (tx) => {
      const current = await lockJob(tx, id);
      if (current && !mayAccessJob(caller, current.user_id)) throw jobNotFound();
      if (!current) {
        const userId = actingUserId(caller, body.user_id);
        if (caller.kind === "service" && !(await ensureEventUser(tx, userId))) {
          throw HttpError.field("user_id", "no user has this id");
        }
        return { job: await insertJob(tx, id, userId, write, now), created: true };
      }
      if (caller.kind === "producer") actingUserId(caller, body.user_id);
      if (body.user_id && body.user_id.toLowerCase() !== current.user_id) {
        throw new HttpError(
          "conflict",
          "This job belongs to another user; a job's user_id cannot change.",
          {
            errors: [{ path: "user_id", message: "differs from the job's user" }],
          },
        );
      }
      const problem = body.status ? transitionProblem(current.status, body.status) : undefined;
      if (problem) {
        throw new HttpError("conflict", `Illegal status change: ${problem}.`, {
          errors: [{ path: "status", message: problem }],
        });
      }
      return { job: await updateJob(tx, id, write, now), created: false };
    });
    await raiseLossDiverged(ctx.db, result.job, body.loss, now, WAKE_CHANNEL);
    // A status change recorded an event through the table's trigger, which also
    // wakes workers in other processes at commit.
    wakeInbox();
    return json(result.job, result.created ? 201 : 200);
  },
);

// The user-facing read of a job (the job page), beside the producer write above.
export { GET } from "./get";
