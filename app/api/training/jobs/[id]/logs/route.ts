import { randomUUID } from "node:crypto";
import {
  detectOom,
  getJob,
  insertEventAndNotify,
  jobIdParam,
  jobLogsSchema,
  jobNotFound,
} from "@/lib/alerts";
import { mayAccessJob } from "@/lib/http/producer-keys";
import { json, route } from "@/lib/http/route";
import { WAKE_CHANNEL } from "@/lib/queue/queue";
import { wakeInbox } from "@/lib/queue/wake";

export const dynamic = "force-dynamic";

/**
 * Scans a batch of a job's log lines for an out-of-memory report. The first
 * one raises `gpu_oom` with the matching line and its context; a job raises
 * it once, however many batches show it. Answers `{ oom, signature?, event_id?, duplicate? }`.
 */
export const POST = route(
  { access: "service", body: jobLogsSchema },
  async ({ ctx, params, caller, body }) => {
    const id = jobIdParam(params);
    const job = await getJob(ctx.db, id);
    if (!job || !mayAccessJob(caller, job.user_id)) throw jobNotFound();
    const match = detectOom(body.lines);
    if (!match) return json({ oom: false });
    const now = ctx.clock();
    const stored = await insertEventAndNotify(
      ctx.db,
      {
        id: randomUUID(),
        idempotencyKey: `oom:${id}`,
        type: "gpu_oom",
        userId: job.user_id,
        jobId: id,
        occurredAt: now,
        data: {
          model_name: job.model_name ?? undefined,
          log_excerpt: match.excerpt,
          oom_line: match.line,
          oom_signature: match.signature,
          current_step: job.current_step ?? undefined,
          total_steps: job.total_steps ?? undefined,
        },
        source: "monitor",
        receivedAt: now,
      },
      WAKE_CHANNEL,
    );
    if (!stored.duplicate) wakeInbox();
    return json({
      oom: true,
      signature: match.signature,
      event_id: stored.id,
      duplicate: stored.duplicate,
    });
  },
);
