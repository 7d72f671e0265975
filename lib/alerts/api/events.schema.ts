import { z } from "zod";
import { EVENT_TYPES } from "../alert.types";
import { DISPLAY_CAPS, displayText } from "./display-text";
import { isoDateTime, uuid } from "./fields";

const nonNegative = z
  .number({ error: "must be a number" })
  .min(0, { error: "must not be negative" });
const count = z.int({ error: "must be a whole number" }).min(0, { error: "must not be negative" });

/**
 * `data` by type (DESIGN.md §5). Known fields are checked; other fields are
 * kept and passed on to generic webhooks.
 */
export const eventDataSchema = z.looseObject({
  model_name: displayText(DISPLAY_CAPS.name).optional(),
  duration_seconds: nonNegative.optional(),
  final_loss: z.number({ error: "must be a number" }).nullable().optional(),
  current_step: count.optional(),
  total_steps: count.optional(),
  gpu_count: count.optional(),
  error: displayText(DISPLAY_CAPS.error, "ends").optional(),
  log_excerpt: displayText(DISPLAY_CAPS.error, "ends").optional(),
  disk_path: displayText(DISPLAY_CAPS.path).optional(),
  disk_used_percent: nonNegative.max(100, { error: "must be at most 100" }).optional(),
  minutes_without_progress: nonNegative.optional(),
  /** disk_warning: the producer's own threshold; the server uses the stricter (higher) of it and its own. */
  threshold_percent: nonNegative.max(100, { error: "must be at most 100" }).optional(),
});

/** `POST /api/alerts/events`. */
export const eventInputSchema = z
  .strictObject({
    event_id: uuid.optional(),
    type: z.enum(EVENT_TYPES, { error: `must be one of ${EVENT_TYPES.join(", ")}` }),
    /** Required with the service key; with a producer key, omitted or the key owner's id. */
    user_id: uuid.optional(),
    job_id: uuid.nullable().optional(),
    occurred_at: isoDateTime.optional(),
    data: eventDataSchema.default({}),
  })
  .superRefine((e, ctx) => {
    const needsJob =
      e.type.startsWith("job_") || e.type === "timeout_warning" || e.type === "loss_diverged";
    if (needsJob && !e.job_id) {
      ctx.addIssue({
        code: "custom",
        path: ["job_id"],
        message: `is required for ${e.type} events`,
      });
    }
    if (e.type === "disk_warning") {
      for (const field of ["disk_path", "disk_used_percent"] as const) {
        if (e.data[field] === undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["data", field],
            message: "is required for disk_warning events",
          });
        }
      }
    }
  });
export type EventInput = z.output<typeof eventInputSchema>;

/** What ingest can already tell a producer about an event's outcome (DESIGN.md §5, docs/decisions.md). */
export const OUTCOME_HINTS = ["below_threshold"] as const;

export const eventAcceptedSchema = z.object({
  event_id: uuid,
  duplicate: z.boolean(),
  // The description is the OpenAPI document's.
  outcome_hint: z.enum(OUTCOME_HINTS).optional().meta({
    description:
      "Present when ingest already knows this event will alert no one (it is stored all the same): below_threshold = a disk_warning under the stricter of the server's threshold and data.threshold_percent",
  }),
});

export type OutcomeHint = (typeof OUTCOME_HINTS)[number];
