import { z } from "zod";
import { JOB_STATUSES } from "../triggers/training-job.trigger";
import { uuid } from "./fields";

const text = (max: number) =>
  z.string({ error: "must be a string" }).max(max, { error: `must be at most ${max} characters` });
const count = z
  .int({ error: "must be a whole number" })
  .min(0, { error: "must not be negative" })
  .max(2_000_000_000, { error: "must be at most 2000000000" });
const loss = z.number({ error: "must be a number" }).nullable();

/** `PUT /api/training/jobs/{id}`: create (with `user_id`) or update a job. */
export const jobPutSchema = z.strictObject({
  user_id: uuid.optional(),
  model_name: text(200).nullable().optional(),
  status: z.enum(JOB_STATUSES, { error: `must be one of ${JOB_STATUSES.join(", ")}` }).optional(),
  current_step: count.optional(),
  total_steps: count.optional(),
  loss: loss.optional(),
  error: text(20_000).nullable().optional(),
  gpu_count: count.max(100_000, { error: "must be at most 100000" }).optional(),
  metadata: z.record(z.string(), z.unknown(), { error: "must be an object" }).optional(),
});
export type JobPut = z.output<typeof jobPutSchema>;

/** `POST /api/training/jobs/{id}/progress`. */
export const jobProgressSchema = z.strictObject({
  current_step: count,
  loss: loss.optional(),
});

/** Most log lines one request may carry. */
export const MAX_LOG_LINES = 1000;

/** `POST /api/training/jobs/{id}/logs`. */
export const jobLogsSchema = z.strictObject({
  lines: z
    .array(text(16_384), { error: "must be an array of strings" })
    .min(1, { error: "must hold at least one line" })
    .max(MAX_LOG_LINES, {
      error: `must hold at most ${MAX_LOG_LINES} lines; send the rest in another request`,
    }),
});
