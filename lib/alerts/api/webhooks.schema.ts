import { z } from "zod";
import { ALERT_FLAGS, type AlertFlag, DEFAULT_FLAGS, WEBHOOK_TYPES } from "../alert.types";
import { bool, displayName, uuid } from "./fields";

/** Longest accepted webhook URL (DESIGN.md §5). */
export const MAX_WEBHOOK_URL = 2048;
/** Most webhooks one user may have (DESIGN.md §5). */
export const MAX_WEBHOOKS_PER_USER = 20;

const url = z
  .string({ error: "must be the webhook's URL as a string" })
  .trim()
  .min(1, { error: "must not be empty" })
  .max(MAX_WEBHOOK_URL, { error: `must be at most ${MAX_WEBHOOK_URL} characters` });

const webhookType = z.enum(WEBHOOK_TYPES, { error: 'must be "slack", "discord" or "generic"' });

const SECRET_HINT =
  'must be "generate", null, or a Standard Webhooks secret ("whsec_" followed by 24–64 random bytes in base64)';

/**
 * A signing secret: `"generate"` for a new random one (shown once), a Standard
 * Webhooks secret (`whsec_` + base64 of 24–64 bytes), or null for none.
 */
export const secretInput = z.union(
  [
    z.literal("generate"),
    // zod reports a bad string with this branch's issues, not the union's error,
    // so the branch carries the hint; `abort` spares a string that misses the
    // pattern a second error from the byte count.
    z
      .string()
      .regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, { error: SECRET_HINT, abort: true })
      .refine(
        (s) => {
          const n = Buffer.from(s.slice(6), "base64").length;
          return n >= 24 && n <= 64;
        },
        { error: SECRET_HINT },
      ),
    z.null(),
  ],
  { error: SECRET_HINT },
);

const optionalFlags = Object.fromEntries(ALERT_FLAGS.map((f) => [f, bool(f).optional()])) as Record<
  AlertFlag,
  z.ZodOptional<z.ZodBoolean>
>;

/** `PATCH`: change any subset of fields. */
export const webhookPatchSchema = z.strictObject({
  name: displayName.optional(),
  url: url.optional(),
  webhook_type: webhookType.optional(),
  secret: secretInput.optional(),
  ...optionalFlags,
  enabled: bool("enabled").optional(),
});
export type WebhookPatch = z.output<typeof webhookPatchSchema>;

const defaultedFlags = Object.fromEntries(
  ALERT_FLAGS.map((f) => [f, bool(f).default(DEFAULT_FLAGS[f])]),
) as Record<AlertFlag, z.ZodDefault<z.ZodBoolean>>;

/**
 * `POST` (create) and `PUT` (replace): `name` and `url` are required, other
 * fields take the seed's defaults. `secret` omitted on PUT keeps the current
 * secret (it is write-only, so a client cannot send it back); null removes it.
 */
export const webhookCreateSchema = z.strictObject({
  name: displayName,
  url,
  webhook_type: webhookType.default("generic"),
  secret: secretInput.optional(),
  ...defaultedFlags,
  enabled: bool("enabled").default(true),
});
export type WebhookCreate = z.output<typeof webhookCreateSchema>;

const flagViews = Object.fromEntries(ALERT_FLAGS.map((f) => [f, z.boolean()])) as Record<
  AlertFlag,
  z.ZodBoolean
>;

export const webhookViewSchema = z.object({
  id: uuid,
  name: z.string(),
  url: z.string().describe("masked: scheme, host and a path prefix"),
  webhook_type: webhookType,
  has_secret: z.boolean(),
  ...flagViews,
  enabled: z.boolean(),
  disabled_reason: z.string().nullable(),
  last_success_at: z.iso.datetime().nullable(),
  last_failure_at: z.iso.datetime().nullable(),
  last_status_code: z.int().nullable(),
  last_error: z.string().nullable(),
  failure_count: z.int(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  secret: z.string().optional().describe("only in the answer that generated it"),
});

export const webhookTestResultSchema = z.object({
  ok: z.boolean(),
  status_code: z.int().nullable(),
  duration_ms: z.number(),
  error: z.string().nullable(),
});
