import { z } from "zod";
import { JOB_STATUSES } from "../triggers/training-job.trigger";
import { DISPLAY_CAPS, displayText } from "./display-text";
import { isoDateTime, uuid } from "./fields";
import { deliveryViewSchema, historyItemSchema } from "./history.schema";
import { lossInput } from "./loss";
import { pageQuery } from "./page-query";

const text = (max: number) =>
  z.string({ error: "must be a string" }).max(max, { error: `must be at most ${max} characters` });
const count = z
  .int({ error: "must be a whole number" })
  .min(0, { error: "must not be negative" })
  .max(2_000_000_000, { error: "must be at most 2000000000" });
const loss = lossInput.nullable();
/** Extra readings of a progress point (learning rate, tokens/s, GPU memory): a few named numbers. */
const metrics = z
  .record(
    z.string().regex(/^[A-Za-z0-9_.:/-]{1,64}$/, {
      error: "metric names are 1–64 letters, digits or _ . : / -",
    }),
    z.number({ error: "must be a number" }),
    { error: 'must be an object of named numbers, e.g. {"lr": 0.0003}' },
  )
  .refine((m) => Object.keys(m).length <= 16, { error: "must hold at most 16 metrics" })
  .nullable();

/** `PUT /api/training/jobs/{id}`: create (with `user_id`) or update a job. */
export const jobPutSchema = z.strictObject({
  user_id: uuid.optional(),
  model_name: displayText(DISPLAY_CAPS.name).nullable().optional(),
  status: z.enum(JOB_STATUSES, { error: `must be one of ${JOB_STATUSES.join(", ")}` }).optional(),
  current_step: count.optional(),
  total_steps: count.optional(),
  loss: loss.optional(),
  error: displayText(DISPLAY_CAPS.error, "ends").nullable().optional(),
  gpu_count: count.max(100_000, { error: "must be at most 100000" }).optional(),
  metadata: z.record(z.string(), z.unknown(), { error: "must be an object" }).optional(),
  metrics: metrics.optional(),
});
export type JobPut = z.output<typeof jobPutSchema>;

/** `POST /api/training/jobs/{id}/progress`. */
export const jobProgressSchema = z.strictObject({
  current_step: count,
  loss: loss.optional(),
  metrics: metrics.optional(),
});

/** Most log lines one request may carry. */
export const MAX_LOG_LINES = 1000;

/** `POST /api/training/jobs/{id}/logs`. */
export const jobLogsSchema = z.strictObject({
  lines: z
    .array(displayText(DISPLAY_CAPS.logLine), { error: "must be an array of strings" })
    .min(1, { error: "must hold at least one line" })
    .max(MAX_LOG_LINES, {
      error: `must hold at most ${MAX_LOG_LINES} lines; send the rest in another request`,
    }),
});

/** A loss as the user API answers it: a number, or "nan", "inf", "-inf" (JSON has neither). */
const lossView = z.union([z.number(), z.enum(["nan", "inf", "-inf"])]).nullable();
const instant = z.iso.datetime().nullable();

/** `GET /api/training/jobs` query. */
export const jobsQuerySchema = z.strictObject({
  ...pageQuery,
  status: z.enum(JOB_STATUSES, { error: `must be one of ${JOB_STATUSES.join(", ")}` }).optional(),
  group: text(200).min(1, { error: "must not be empty" }).optional(),
  since: isoDateTime.optional(),
  q: text(200).optional(),
});

/** Most points `GET /api/training/jobs/{id}` returns (the stored bound). */
export const MAX_PROGRESS_POINTS = 2000;

/** `GET /api/training/jobs/{id}` query. */
export const jobDetailQuerySchema = z.strictObject({
  points: z
    .string()
    .regex(/^\d+$/, { error: `must be a whole number from 2 to ${MAX_PROGRESS_POINTS}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(2, { error: `must be from 2 to ${MAX_PROGRESS_POINTS}` })
        .max(MAX_PROGRESS_POINTS, { error: `must be from 2 to ${MAX_PROGRESS_POINTS}` }),
    )
    .optional(),
});

export const jobViewSchema = z.object({
  id: uuid,
  model_name: z.string().nullable(),
  status: z.enum(JOB_STATUSES),
  current_step: z.int().nullable(),
  total_steps: z.int().nullable(),
  loss: lossView,
  gpu_count: z.int(),
  /** The job's group label (`metadata.group`). */
  group: z.string().nullable(),
  started_at: instant,
  finished_at: instant,
  last_progress_at: instant,
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  /** From start to finish, or to now while the job has not finished. */
  duration_seconds: z.int().nullable(),
});

export const jobListItemSchema = jobViewSchema.extend({
  last_alert: z
    .object({
      id: uuid,
      alert_type: z.string(),
      title: z.string(),
      status: z.string(),
      created_at: z.iso.datetime(),
    })
    .nullable(),
});

export const jobsPageSchema = z.object({
  items: z.array(jobListItemSchema),
  next_cursor: z.string().nullable(),
});

export const progressPointSchema = z.object({
  step: z.int(),
  loss: lossView,
  at: z.iso.datetime(),
  metrics: z.record(z.string(), z.number()).nullable(),
});

export const jobDetailSchema = jobViewSchema.extend({
  user_id: uuid,
  error: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  /** The latest progress metrics reported. */
  metrics: z.record(z.string(), z.number()).nullable(),
  gpu_hours: z.number().nullable(),
  /** How many points are stored (`progress` may hold fewer with `?points=N`). */
  progress_count: z.int(),
  progress: z.array(progressPointSchema),
  events: z.array(
    z.object({
      id: uuid,
      type: z.string(),
      occurred_at: z.iso.datetime(),
      source: z.string(),
      outcome: z.string().nullable(),
      alert_id: uuid.nullable(),
      data: z.record(z.string(), z.unknown()),
    }),
  ),
  alerts: z.array(
    historyItemSchema
      .pick({
        id: true,
        alert_type: true,
        title: true,
        message: true,
        status: true,
        data: true,
        deferred_until: true,
        suppressed_reason: true,
        created_at: true,
      })
      .extend({ deliveries: z.array(deliveryViewSchema) }),
  ),
});
