import { createHmac } from "node:crypto";

/**
 * Standard Webhooks v1 signature: HMAC-SHA256 over `id.timestamp.body` with
 * the secret's base64 bytes (after the `whsec_` prefix), as `v1,<base64>`.
 */
export function signStandardWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): string {
  const key = Buffer.from(secret.startsWith("whsec_") ? secret.slice(6) : secret, "base64");
  const mac = createHmac("sha256", key)
    .update(`${id}.${timestampSeconds}.${body}`)
    .digest("base64");
  return `v1,${mac}`;
}
