import { z } from "zod";
import { uuid } from "./fields";
import { pageQuery } from "./page-query";

/** `GET /api/alerts/events` query: the caller's recent inbox events. */
export const inboxQuerySchema = z.strictObject({
  ...pageQuery,
});

export const inboxEventSchema = z.object({
  event_id: uuid,
  type: z.string(),
  job_id: uuid.nullable(),
  occurred_at: z.iso.datetime(),
  received_at: z.iso.datetime(),
  processed_at: z.iso.datetime().nullable(),
  /**
   * What processing decided: `alerted`, `deferred`, `suppressed`, `muted`,
   * `deduplicated`, `no_channels`, `below_threshold`, `error`; null while waiting.
   */
  outcome: z.string().nullable(),
  /** The outcome in words, e.g. "not sent: job_cancelled is off for every channel". */
  outcome_text: z.string(),
  alert_id: uuid.nullable(),
  /** For `deduplicated`: the earlier event this one repeated, when it is still kept. */
  duplicate_of: uuid.nullable(),
  data: z.record(z.string(), z.unknown()),
});

export const inboxPageSchema = z.object({
  items: z.array(inboxEventSchema),
  next_cursor: z.string().nullable(),
});
