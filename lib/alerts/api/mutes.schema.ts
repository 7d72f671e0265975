import { z } from "zod";
import { EVENT_TYPES } from "../alert.types";
import { cleanGroupLabel } from "../grouping/group-key";
import { isoDateTime, uuid } from "./fields";

/** The durations the UI offers; `until` gives any other end. */
export const MUTE_DURATIONS = { "1h": 1, "8h": 8, "24h": 24 } as const;
export type MuteDuration = keyof typeof MUTE_DURATIONS;

/** At most a year: a mute is a pause, not a setting (turn the type off instead). */
export const MAX_MUTE_MS = 366 * 24 * 3600_000;

/** `POST /api/alerts/mutes`. */
export const muteCreateSchema = z
  .strictObject({
    scope: z.enum(["job", "group", "type"], { error: "must be job, group or type" }),
    value: z
      .string({ error: "must be a string" })
      .trim()
      // A group label is compared as grouping cleans it (one line); ids and types have no spaces.
      .overwrite((v) => cleanGroupLabel(v) ?? v)
      .min(1, { error: "must not be empty" })
      .max(200, { error: "must be at most 200 characters" }),
    duration: z.enum(["1h", "8h", "24h"], { error: "must be 1h, 8h or 24h" }).optional(),
    until: isoDateTime.optional(),
  })
  .superRefine((m, ctx) => {
    if ((m.duration === undefined) === (m.until === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["duration"],
        message: "give either duration (1h, 8h, 24h) or until (a date-time), not both",
      });
    }
    if (m.scope === "job" && !uuid.safeParse(m.value).success) {
      ctx.addIssue({ code: "custom", path: ["value"], message: "must be the job's UUID" });
    }
    if (m.scope === "type" && !(EVENT_TYPES as readonly string[]).includes(m.value)) {
      ctx.addIssue({
        code: "custom",
        path: ["value"],
        message: `must be one of ${EVENT_TYPES.join(", ")}`,
      });
    }
  });
export type MuteCreate = z.output<typeof muteCreateSchema>;

export const muteViewSchema = z.object({
  id: uuid,
  scope: z.enum(["job", "group", "type"]),
  value: z.string(),
  muted_until: z.iso.datetime(),
  created_via: z.enum(["web", "link"]),
  created_at: z.iso.datetime(),
});

export const muteListSchema = z.object({ items: z.array(muteViewSchema) });
