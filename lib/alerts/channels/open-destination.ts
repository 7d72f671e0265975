import type { EncryptionKey } from "../../config/config";
import { decryptRemembered } from "../../security/encryption";
import { SECRET_PURPOSE, URL_PURPOSE } from "../webhook-input";
import type { Destination } from "./channel.types";

/** A webhook row as stored: URL and secret are ciphertext. */
export interface StoredWebhook {
  webhookId: string;
  kind: string;
  url: string;
  secret: string | null;
}

/** How every operator error's message starts (recorded as the delivery's last_error). */
export const OPERATOR_ERROR_PREFIX = "operator error: ";

export type OpenedDestination =
  | { ok: true; destination: Destination }
  /** The deployment cannot read the row (its key was removed): an operator error, not the user's. */
  | { ok: false; error: string };

/**
 * The one place a webhook's URL and secret are decrypted (remembered: every
 * send opens its webhook, the same few again and again). A failure is data:
 * the caller records it as an operator error (the delivery keeps retrying
 * and the webhook is not charged for it) instead of throwing.
 */
export function openDestination(
  keys: readonly EncryptionKey[],
  stored: StoredWebhook,
): OpenedDestination {
  try {
    return {
      ok: true,
      destination: {
        kind: stored.kind,
        webhookId: stored.webhookId,
        address: decryptRemembered(keys, stored.url, URL_PURPOSE),
        secret: stored.secret ? decryptRemembered(keys, stored.secret, SECRET_PURPOSE) : null,
      },
    };
  } catch (error) {
    return {
      ok: false,
      error: `${OPERATOR_ERROR_PREFIX}cannot decrypt the webhook (${(error as Error).message}); restore the encryption key that wrote it (ALERTS_ENCRYPTION_KEY)`,
    };
  }
}

/** The email destination: the address is not secret. */
export function emailDestination(address: string): Destination {
  return { kind: "email", webhookId: null, address, secret: null };
}
