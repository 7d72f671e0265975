import { jobIdParam, jobPutSchema, putTrainingJob } from "@/lib/alerts";
import { actingUserId, mayAccessJob } from "@/lib/http/producer-keys";
import { json, route } from "@/lib/http/route";
import { WAKE_CHANNEL } from "@/lib/queue/queue";
import { wakeInbox } from "@/lib/queue/wake";

export const dynamic = "force-dynamic";

/**
 * Creates (201, `user_id` required with the service key) or updates (200) a
 * training job; the lifecycle rules (409 on an illegal transition, a
 * non-finite `loss` raising `loss_diverged`) are `putTrainingJob`'s.
 */
export const PUT = route(
  { access: "service", body: jobPutSchema },
  async ({ ctx, params, caller, body }) => {
    const result = await putTrainingJob(ctx.db, {
      id: jobIdParam(params),
      body,
      writer: {
        actsForAnyone: caller.kind === "service",
        mayAccess: (jobUserId) => mayAccessJob(caller, jobUserId),
        actingUserId: (requested) => actingUserId(caller, requested),
      },
      now: ctx.clock(),
      wakeChannel: WAKE_CHANNEL,
    });
    // A status change recorded an event through the table's trigger, which also
    // wakes workers in other processes at commit.
    wakeInbox();
    return json(result.job, result.created ? 201 : 200);
  },
);

// The user-facing read of a job (the job page), beside the producer write above.
export { GET } from "./get";
