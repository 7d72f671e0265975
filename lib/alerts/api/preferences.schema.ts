import { z } from "zod";
import { ALERT_FLAGS, type AlertFlag, GROUPING } from "../alert.types";
import { bool, email, timeOfDay, timeZone, uuid } from "./fields";

const flagFields = Object.fromEntries(ALERT_FLAGS.map((f) => [f, bool(f).optional()])) as Record<
  AlertFlag,
  z.ZodOptional<z.ZodBoolean>
>;

const windowRule = `must be a whole number of seconds from 0 (grouping off) to ${GROUPING.maxWindowSeconds}`;
/** DESIGN.md §6 "Grouping": the window of a group; 0 turns grouping off. */
const groupWindow = z
  .int({ error: windowRule })
  .min(0, { error: windowRule })
  .max(GROUPING.maxWindowSeconds, { error: windowRule });

/** `PUT /api/alerts/preferences`: any subset of the seed's preference columns. */
export const preferencesUpdateSchema = z.strictObject({
  email_enabled: bool("email_enabled").optional(),
  email_address: email.nullable().optional(),
  ...flagFields,
  daily_summary_enabled: bool("daily_summary_enabled").optional(),
  daily_summary_time: timeOfDay.optional(),
  weekly_digest_enabled: bool("weekly_digest_enabled").optional(),
  weekly_digest_day: z
    .int({ error: "must be a whole number from 0 (Sunday) to 6 (Saturday)" })
    .min(0, { error: "must be from 0 (Sunday) to 6 (Saturday)" })
    .max(6, { error: "must be from 0 (Sunday) to 6 (Saturday)" })
    .optional(),
  quiet_hours_enabled: bool("quiet_hours_enabled").optional(),
  quiet_hours_start: timeOfDay.optional(),
  quiet_hours_end: timeOfDay.optional(),
  timezone: timeZone.optional(),
  group_window_seconds: groupWindow.optional(),
});
export type PreferencesUpdate = z.output<typeof preferencesUpdateSchema>;

const flagViews = Object.fromEntries(ALERT_FLAGS.map((f) => [f, z.boolean()])) as Record<
  AlertFlag,
  z.ZodBoolean
>;

/** The preferences as the API returns them. */
export const preferencesViewSchema = z.object({
  id: uuid,
  user_id: uuid,
  email_enabled: z.boolean(),
  email_address: z.string().nullable(),
  ...flagViews,
  daily_summary_enabled: z.boolean(),
  daily_summary_time: z.string(),
  weekly_digest_enabled: z.boolean(),
  weekly_digest_day: z.int(),
  quiet_hours_enabled: z.boolean(),
  quiet_hours_start: z.string(),
  quiet_hours_end: z.string(),
  timezone: z.string(),
  group_window_seconds: z.int(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});
