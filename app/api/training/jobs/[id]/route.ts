import { jobPutSchema } from "@/lib/alerts/api/jobs.schema";
import { jobIdParam } from "@/lib/alerts/job-id";
import { insertJob, lockJob, updateJob } from "@/lib/alerts/sql/jobs";
import { transitionProblem } from "@/lib/alerts/triggers/training-job.trigger";
import { ensureEventUser } from "@/lib/db/users";
import { HttpError } from "@/lib/http/errors";
import { json, route } from "@/lib/http/route";
import { wakeInbox } from "@/lib/queue/wake";

export const dynamic = "force-dynamic";

/**
 * Creates (201, `user_id` required) or updates (200) a training job. A status
 * change records the job event through the table's trigger, the same path a
 * direct database write takes; an illegal transition is 409.
 */
export const PUT = route(
  { access: "service", body: jobPutSchema },
  async ({ ctx, params, body }) => {
    const id = jobIdParam(params);
    const now = ctx.clock();
    const result = await ctx.db.transaction(async (tx) => {
      const current = await lockJob(tx, id);
      if (!current) {
        if (!body.user_id) throw HttpError.field("user_id", "is required to create a job");
        if (!(await ensureEventUser(tx, body.user_id.toLowerCase()))) {
          throw HttpError.field("user_id", "no user has this id");
        }
        return {
          job: await insertJob(tx, id, body.user_id.toLowerCase(), body, now),
          created: true,
        };
      }
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
      return { job: await updateJob(tx, id, body, now), created: false };
    });
    // A status change recorded an event through the table's trigger, which also
    // wakes workers in other processes at commit.
    wakeInbox();
    return json(result.job, result.created ? 201 : 200);
  },
);

// The user-facing read of a job (the job page), beside the producer write above.
export { GET } from "./get";
