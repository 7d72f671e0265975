import { randomBytes } from "node:crypto";
import type { Config } from "../config/config";
import { encrypt } from "../security/encryption";
import type { WebhookPatch } from "./api/webhooks.schema";
import type { WebhookWrite } from "./sql/webhooks";
import { checkWebhookUrl, maskUrl } from "./webhook-url";

/** Associated data that ties each ciphertext to its column. */
export const URL_PURPOSE = "user_webhooks.url";
export const SECRET_PURPOSE = "user_webhooks.secret";

/**
 * Turns validated API input into the columns to write: the URL checked,
 * masked and encrypted, the secret generated or encrypted. Returns the
 * generated secret so the answer can show it once.
 */
export function toWebhookWrite(
  input: WebhookPatch,
  config: Pick<Config, "webhooks" | "encryptionKeys">,
): { write: WebhookWrite; generatedSecret?: string } {
  const { url, secret, ...rest } = input;
  const write: WebhookWrite = { ...rest };
  if (url !== undefined) {
    const parsed = checkWebhookUrl(url, config);
    write.url = encrypt(config.encryptionKeys, parsed.href, URL_PURPOSE);
    write.url_masked = maskUrl(parsed);
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
