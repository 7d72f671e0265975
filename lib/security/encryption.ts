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

/** How many decrypted values `decryptRemembered` keeps: more than a busy worker's distinct webhooks. */
const REMEMBERED = 1024;
interface Remembered {
  /** The key that decrypted it: only that very key (same id, same bytes) may answer again. */
  keyId: string;
  key: Buffer;
  purpose: string;
  plaintext: string;
}
const remembered = new Map<string, Remembered>();

/**
 * `decrypt`, remembering the last REMEMBERED answers (least recently used
 * out first). Every delivery opens its webhook's URL and secret, and setting
 * up AES-GCM costs more CPU than formatting and signing the send together;
 * the same few ciphertexts come back thousands of times. An answer is reused
 * only for the same stored text, purpose and key (the key object itself, so
 * a removed or replaced key decrypts nothing); a failure is never
 * remembered, so it is met again on every call. Plaintexts stay in this
 * process, as every decrypted value does.
 */
export function decryptRemembered(
  keys: readonly EncryptionKey[],
  stored: string,
  purpose: string,
): string {
  const hit = remembered.get(stored);
  if (hit && hit.purpose === purpose && keys.find((k) => k.id === hit.keyId)?.key === hit.key) {
    remembered.delete(stored);
    remembered.set(stored, hit);
    return hit.plaintext;
  }
  const plaintext = decrypt(keys, stored, purpose);
  const keyId = stored.split(":")[2] ?? "";
  const key = keys.find((k) => k.id === keyId);
  if (key) {
    remembered.delete(stored);
    remembered.set(stored, { keyId, key: key.key, purpose, plaintext });
    if (remembered.size > REMEMBERED) {
      const oldest = remembered.keys().next().value;
      if (oldest !== undefined) remembered.delete(oldest);
    }
  }
  return plaintext;
}

export const isEncrypted = (value: string) => value.startsWith(`${PREFIX}:`);
