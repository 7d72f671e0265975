import { jobProgressSchema } from "@/lib/alerts/api/jobs.schema";
import { jobIdParam, jobNotFound } from "@/lib/alerts/job-id";
import { getJob, recordProgress } from "@/lib/alerts/sql/jobs";
import { HttpError } from "@/lib/http/errors";
import { json, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** Records progress of a running job, which re-arms its stall watch. */
export const POST = route(
  { access: "service", body: jobProgressSchema },
  async ({ ctx, params, body }) => {
    const id = jobIdParam(params);
    const job = await recordProgress(
      ctx.db,
      id,
      body.current_step,
      body.loss,
      ctx.clock(),
      body.metrics,
    );
    if (job) return json(job);
    const existing = await getJob(ctx.db, id);
    if (!existing) throw jobNotFound();
    throw new HttpError(
      "conflict",
      `The job is ${existing.status}; progress is recorded for running jobs only (set status "running" first).`,
    );
  },
);
