import { z } from "zod";
import { ALERT_STATUSES, ALERT_TYPES } from "../alert.types";
import { isoDateTime, uuid } from "./fields";
import { pageQuery } from "./page-query";

/** `GET /api/alerts/history` query. */
export const historyQuerySchema = z.strictObject({
  ...pageQuery,
  alert_type: z.enum(ALERT_TYPES, { error: `must be one of ${ALERT_TYPES.join(", ")}` }).optional(),
  status: z
    .enum(ALERT_STATUSES, { error: `must be one of ${ALERT_STATUSES.join(", ")}` })
    .optional(),
  job_id: uuid.optional(),
  since: isoDateTime.optional(),
  /** A job's group label (`metadata.group`, or the event's `data.group`). */
  group: z
    .string()
    .trim()
    .min(1, { error: "must be a group label (a sweep or project name)" })
    .max(200, { error: "must be at most 200 characters" })
    .optional(),
});
export type HistoryQuery = z.output<typeof historyQuerySchema>;

export const deliveryViewSchema = z.object({
  id: uuid,
  channel: z.enum(["email", "webhook"]),
  webhook_id: uuid.nullable(),
  /** The webhook's name, kept when the webhook is deleted (webhook_id is then null). */
  webhook_name: z.string().nullable(),
  status: z.string(),
  attempts: z.int(),
  last_status_code: z.int().nullable(),
  last_error: z.string().nullable(),
  next_attempt_at: z.iso.datetime().nullable(),
  delivered_at: z.iso.datetime().nullable(),
  /**
   * Set when the delivery waited in a batch (DESIGN.md §6 "Grouping"): it
   * went out in group message `message_alert_id` with `size - 1` others, and
   * `status` is that message's delivery status.
   */
  group: z
    .object({
      batch_id: uuid,
      message_alert_id: uuid.nullable(),
      size: z.int(),
      status: z.string().nullable(),
    })
    .nullable()
    // Absent where deliveries are listed without their group (a job's alerts).
    .optional(),
});

export const historyItemSchema = z.object({
  id: uuid,
  alert_type: z.string(),
  title: z.string(),
  message: z.string(),
  job_id: uuid.nullable(),
  status: z.enum(ALERT_STATUSES),
  data: z.record(z.string(), z.unknown()),
  email_sent: z.boolean(),
  email_sent_at: z.iso.datetime().nullable(),
  email_error: z.string().nullable(),
  webhook_sent: z.boolean(),
  webhook_sent_at: z.iso.datetime().nullable(),
  webhook_id: uuid.nullable(),
  webhook_error: z.string().nullable(),
  deferred_until: z.iso.datetime().nullable(),
  suppressed_reason: z.string().nullable(),
  group_label: z.string().nullable(),
  created_at: z.iso.datetime(),
  deliveries: z.array(deliveryViewSchema),
});

export const historyPageSchema = z.object({
  items: z.array(historyItemSchema),
  next_cursor: z.string().nullable(),
});
