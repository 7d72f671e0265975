import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { EncryptionKey } from "../config/config";

const PREFIX = "enc:v1";

/**
 * Encrypts a value for storage with AES-256-GCM under the first key.
 * The stored form is `enc:v1:<key id>:<iv>:<ciphertext+tag>` (base64url), so
 * a later key can take over while older rows still decrypt. `purpose` is bound
 * as associated data: a webhook's secret cannot be swapped into its URL column.
 */
export function encrypt(
  keys: readonly EncryptionKey[],
  plaintext: string,
  purpose: string,
): string {
  const key = keys[0];
  if (!key) throw new Error("no encryption key configured");
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key.key, iv);
  cipher.setAAD(Buffer.from(purpose));
  const body = Buffer.concat([
    cipher.update(plaintext, "utf8"),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return [PREFIX, key.id, iv.toString("base64url"), body.toString("base64url")].join(":");
}

/** Decrypts a value written by `encrypt`; throws when no key fits or it was tampered with. */
export function decrypt(keys: readonly EncryptionKey[], stored: string, purpose: string): string {
  const parts = stored.split(":");
  if (parts.length !== 5 || `${parts[0]}:${parts[1]}` !== PREFIX) {
    throw new Error("value is not in the enc:v1 format");
  }
  const [, , keyId, ivText, bodyText] = parts as [string, string, string, string, string];
  const key = keys.find((k) => k.id === keyId);
  if (!key)
    throw new Error(
      `no configured encryption key has id ${keyId}; add it to ALERTS_ENCRYPTION_KEYS_OLD`,
    );
  const body = Buffer.from(bodyText, "base64url");
  const decipher = createDecipheriv("aes-256-gcm", key.key, Buffer.from(ivText, "base64url"));
  decipher.setAAD(Buffer.from(purpose));
  decipher.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([
    decipher.update(body.subarray(0, body.length - 16)),
    decipher.final(),
  ]).toString("utf8");
}

export const isEncrypted = (value: string) => value.startsWith(`${PREFIX}:`);
