import { z } from "zod";
import { ALERT_FLAGS, type AlertFlag, DEFAULT_FLAGS, WEBHOOK_TYPES } from "../alert.types";
import { WEBHOOK_KINDS } from "../channels/kinds";
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

const webhookType = z.enum(WEBHOOK_TYPES, {
  error: `must be one of ${WEBHOOK_TYPES.map((t) => `"${t}"`).join(", ")}`,
});

const SECRET_HINT =
  'must be "generate", null, a Standard Webhooks secret ("whsec_" followed by 24–64 random bytes in base64), an ntfy access token ("tk_…") or a PagerDuty routing key (32 letters and digits)';

/** A Standard Webhooks signing secret: `whsec_` + base64 of 24–64 bytes. */
export const isSigningSecret = (s: string) =>
  /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/.test(s) &&
  (() => {
    const n = Buffer.from(s.slice(6), "base64").length;
    return n >= 24 && n <= 64;
  })();
/** An ntfy access token (https://docs.ntfy.sh/config/#access-tokens). */
export const isNtfyToken = (s: string) => /^tk_[A-Za-z0-9]{8,64}$/.test(s);
/** A PagerDuty Events API v2 integration key: 32 characters. */
export const isRoutingKey = (s: string) => /^[A-Za-z0-9]{32}$/.test(s);

/**
 * A webhook's secret: `"generate"` for a new random signing secret (shown
 * once), a Standard Webhooks secret, a credential of the destination (an
 * ntfy token, a PagerDuty routing key), or null for none. Which form fits
 * which `webhook_type` is checked with the type (webhook-input.ts).
 */
export const secretInput = z.union(
  [
    z.literal("generate"),
    // zod reports a bad string with this branch's issues, not the union's
    // error, so the branch carries the hint.
    z.string().refine((s) => isSigningSecret(s) || isNtfyToken(s) || isRoutingKey(s), {
      error: SECRET_HINT,
    }),
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

const onOff = (on: boolean) => (on ? "on" : "off");

const createFlags = Object.fromEntries(
  ALERT_FLAGS.map((f) => [
    f,
    bool(f)
      .optional()
      .describe(
        [
          `default ${onOff(DEFAULT_FLAGS[f])}`,
          ...WEBHOOK_KINDS.flatMap((k) =>
            "defaultFlags" in k ? [`for ${k.type} ${onOff(k.defaultFlags[f])}`] : [],
          ),
        ].join(", "),
      ),
  ]),
) as Record<AlertFlag, z.ZodOptional<z.ZodBoolean>>;

/**
 * `POST` (create) and `PUT` (replace): `name` and `url` are required, other
 * fields take the defaults of the webhook's type (its kind's `defaultFlags`, else DEFAULT_FLAGS).
 * `webhook_type` omitted is inferred from the URL. `secret` omitted on PUT
 * keeps the current secret (it is write-only, so a client cannot send it
 * back); null removes it.
 */
export const webhookCreateSchema = z.strictObject({
  name: displayName,
  url,
  webhook_type: webhookType
    .optional()
    .describe("inferred from the URL when omitted (422 when it names no type)"),
  secret: secretInput.optional(),
  ...createFlags,
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
