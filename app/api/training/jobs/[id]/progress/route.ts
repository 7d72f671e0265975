import {
  getJob,
  jobIdParam,
  jobNotFound,
  jobProgressSchema,
  raiseLossDiverged,
  recordProgress,
  storableLoss,
} from "@/lib/alerts";
import { HttpError } from "@/lib/http/errors";
import { mayAccessJob } from "@/lib/http/producer-keys";
import { json, route } from "@/lib/http/route";
import { WAKE_CHANNEL } from "@/lib/queue/queue";
import { wakeInbox } from "@/lib/queue/wake";

export const dynamic = "force-dynamic";

/**
 * Records progress of a running job, which re-arms its stall watch. A
 * non-finite `loss` raises `loss_diverged` (once per job) and is not stored.
 */
export const POST = route(
  { access: "service", body: jobProgressSchema },
  async ({ ctx, params, caller, body }) => {
    const id = jobIdParam(params);
    if (caller.kind === "producer") {
      const owned = await getJob(ctx.db, id);
      if (!owned || !mayAccessJob(caller, owned.user_id)) throw jobNotFound();
    }
    const now = ctx.clock();
    const job = await recordProgress(
      ctx.db,
      id,
      body.current_step,
      storableLoss(body.loss),
      now,
      body.metrics,
    );
    if (job) {
      if (await raiseLossDiverged(ctx.db, job, body.loss, now, WAKE_CHANNEL)) wakeInbox();
      return json(job);
    }
    const existing = await getJob(ctx.db, id);
    if (!existing) throw jobNotFound();
    throw new HttpError(
      "conflict",
      `The job is ${existing.status}; progress is recorded for running jobs only (set status "running" first).`,
    );
  },
);
