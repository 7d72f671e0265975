import { createHash, randomBytes } from "node:crypto";
import { findProducerKeyAndTouch } from "../alerts";
import type { Queryable } from "../db/types";
import type { Caller } from "./auth";
import { HttpError } from "./errors";

/**
 * Personal producer keys (`tak_…`): a user's own credential for the producer
 * routes. Unlike the service key, a producer key acts as its owner only:
 * `user_id` may be omitted, another user's id is 403, another user's job 404.
 */

/** Most keys one user may hold (DESIGN.md §5). */
export const MAX_PRODUCER_KEYS_PER_USER = 20;

export const PRODUCER_KEY_PREFIX = "tak_";

// tak_ + 32 random bytes in base64url (43 characters).
const KEY_SHAPE = /^tak_[A-Za-z0-9_-]{43}$/;

/** A new key: shown to its owner once; only `hash` is stored. */
export function generateProducerKey(): { key: string; prefix: string; hash: Buffer } {
  const key = PRODUCER_KEY_PREFIX + randomBytes(32).toString("base64url");
  return { key, prefix: key.slice(0, 12), hash: hashProducerKey(key) };
}

/** SHA-256 of the key: 256 random bits need no slow hash, and lookups stay one index probe. */
export function hashProducerKey(key: string): Buffer {
  return createHash("sha256").update(key).digest();
}

/** True when a bearer token is shaped like a producer key (so it is looked up, not verified as a JWT). */
export const isProducerKeyToken = (token: string) => token.startsWith(PRODUCER_KEY_PREFIX);

/** The caller a producer key stands for, or 401 for an unknown, revoked or malformed key. */
export async function authenticateProducerKey(
  db: Queryable,
  token: string,
  now: Date,
): Promise<Caller> {
  const found = KEY_SHAPE.test(token)
    ? await findProducerKeyAndTouch(db, hashProducerKey(token), now)
    : undefined;
  if (!found) {
    throw new HttpError(
      "unauthenticated",
      "Authentication failed: this producer key is unknown or was revoked. Create a new one under Settings → API keys.",
      { headers: { "www-authenticate": 'Bearer realm="training-alerts"' } },
    );
  }
  return { kind: "producer", userId: found.user_id, keyId: found.id };
}

/**
 * The user a producer request acts for. A producer key: its owner (a
 * different `user_id` is 403). The service key: the `user_id` given, which is
 * then required (422 naming `field` when missing).
 */
export function actingUserId(
  caller: Caller,
  requested: string | null | undefined,
  field = "user_id",
): string {
  const asked = requested?.toLowerCase();
  if (caller.kind === "producer") {
    if (asked && asked !== caller.userId) {
      throw new HttpError(
        "forbidden",
        "A producer key acts for its owner only; leave user_id out or send your own id.",
        { errors: [{ path: field, message: "is another user's id" }] },
      );
    }
    return caller.userId;
  }
  if (!asked) throw HttpError.field(field, "is required with the service key");
  return asked;
}

/** False when a producer key's owner may not see a job of `jobUserId` (answer 404 then). */
export const mayAccessJob = (caller: Caller, jobUserId: string) =>
  caller.kind !== "producer" || caller.userId === jobUserId;
