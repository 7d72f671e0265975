import { randomBytes } from "node:crypto";
import type { Config } from "../config/config";
import { HttpError } from "../errors/http-error";
import { encrypt } from "../security/encryption";
import { ALERT_FLAGS, DEFAULT_FLAGS, WEBHOOK_SECRET, type WebhookType } from "./alert.types";
import {
  isNtfyToken,
  isRoutingKey,
  isSigningSecret,
  type WebhookPatch,
} from "./api/webhooks.schema";
import { inferWebhookType, webhookKind } from "./channels/kinds";
import type { WebhookWrite } from "./sql/webhooks";
import {
  isRetiredTeamsConnector,
  RETIRED_TEAMS_CONNECTOR,
  UNKNOWN_WEBHOOK_TYPE,
} from "./webhook-type";
import { checkWebhookUrl, maskUrl } from "./webhook-url";

/** Associated data that ties each ciphertext to its column. */
export const URL_PURPOSE = "user_webhooks.url";
export const SECRET_PURPOSE = "user_webhooks.secret";

/**
 * How the input is applied: `create` and `replace` (PUT) fill omitted flags
 * with the type's defaults; `patch` changes only what is given. `currentType`
 * is the stored type, which a PATCH without `webhook_type` keeps.
 */
export interface WriteMode {
  mode: "create" | "replace" | "patch";
  currentType?: WebhookType;
}

/**
 * Turns validated API input into the columns to write: the type given or
 * inferred from the URL, the URL checked against it, masked and encrypted,
 * the secret (a signing secret or the destination's credential) checked
 * against the type, generated or encrypted. Returns the generated secret so
 * the answer can show it once.
 */
export function toWebhookWrite(
  input: WebhookPatch,
  config: Pick<Config, "webhooks" | "encryptionKeys">,
  how: WriteMode = { mode: "patch" },
): { write: WebhookWrite; generatedSecret?: string } {
  const { url, secret, ...rest } = input;
  const write: WebhookWrite = { ...rest };
  const parsed = url === undefined ? undefined : checkWebhookUrl(url, config);
  if (parsed && isRetiredTeamsConnector(parsed))
    throw HttpError.field("url", RETIRED_TEAMS_CONNECTOR);

  // An explicit type wins; a create or a PUT (which replaces every field)
  // infers one from the URL; a PATCH keeps the stored one.
  const type =
    input.webhook_type ??
    (how.mode === "patch" ? how.currentType : parsed ? inferWebhookType(parsed) : undefined);
  if (how.mode !== "patch" && !type) throw HttpError.field("webhook_type", UNKNOWN_WEBHOOK_TYPE);
  if (
    how.mode === "patch" &&
    input.webhook_type !== undefined &&
    input.webhook_type !== how.currentType &&
    url === undefined
  ) {
    // The stored URL is not read back here, so it could not be checked for the new type.
    throw HttpError.field(
      "url",
      `must be given again when webhook_type changes to ${input.webhook_type}`,
    );
  }
  if (type && how.mode !== "patch") write.webhook_type = type;

  if (how.mode !== "patch") {
    const defaults = (type ? webhookKind(type)?.defaultFlags : undefined) ?? DEFAULT_FLAGS;
    for (const f of ALERT_FLAGS) write[f] = input[f] ?? defaults[f];
  }
  const urlProblem = parsed && type ? webhookKind(type)?.checkUrl?.(parsed) : undefined;
  if (urlProblem) throw HttpError.field("url", urlProblem);
  if (type) checkSecretForType(secret, type, how.mode === "create");

  if (parsed) {
    write.url = encrypt(config.encryptionKeys, parsed.href, URL_PURPOSE);
    write.url_masked = maskUrl(parsed, type);
  }
  let generatedSecret: string | undefined;
  if (secret === "generate") {
    generatedSecret = `whsec_${randomBytes(32).toString("base64")}`;
    write.secret = encrypt(config.encryptionKeys, generatedSecret, SECRET_PURPOSE);
  } else if (secret === null) {
    write.secret = null;
  } else if (secret !== undefined) {
    write.secret = encrypt(config.encryptionKeys, secret, SECRET_PURPOSE);
  }
  return { write, generatedSecret };
}

/** Which secrets each kind takes (`WEBHOOK_SECRET`): a signing secret, its own credential, or none. */
function checkSecretForType(
  secret: string | null | undefined,
  type: WebhookType,
  creating: boolean,
): void {
  const kind = WEBHOOK_SECRET[type];
  if (kind === "routing-key") {
    if (creating && (secret === undefined || secret === null)) {
      throw HttpError.field(
        "secret",
        `for ${type} must be the Events API v2 integration (routing) key, 32 letters and digits, from the service's Integrations tab`,
      );
    }
    if (typeof secret === "string" && !isRoutingKey(secret)) {
      throw HttpError.field(
        "secret",
        `for ${type} must be the Events API v2 integration (routing) key: 32 letters and digits`,
      );
    }
    return;
  }
  if (typeof secret !== "string") return;
  if (kind === "ntfy-token") {
    if (!isNtfyToken(secret))
      throw HttpError.field("secret", `for ${type} must be an access token ("tk_…") or null`);
    return;
  }
  if (kind === "none") {
    throw HttpError.field(
      "secret",
      `must be null for ${type}: its URL carries the credential and it does not sign requests`,
    );
  }
  if (secret !== "generate" && !isSigningSecret(secret)) {
    throw HttpError.field(
      "secret",
      'must be "generate", null, or a Standard Webhooks secret ("whsec_" followed by 24–64 random bytes in base64)',
    );
  }
}
