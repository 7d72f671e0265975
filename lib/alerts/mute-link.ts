import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

/**
 * The signed one-click mute link in every alert (issue 17): "Mute this job
 * for 8 h" without signing in. The token names the user, what to mute and for
 * how long, and when the link itself expires; an HMAC-SHA256 over it, with a
 * key derived from the encryption key (so rotating that key retires old
 * links), makes it unforgeable. Undoing a mute needs a sign-in.
 */

export type MuteScope = "job" | "group" | "type";

export interface MuteGrant {
  userId: string;
  scope: MuteScope;
  value: string;
  /** How long the mute lasts once the link is used. */
  hours: number;
  /** When the link stops working. */
  expiresAt: Date;
}

/** How long an alert's mute link works: a week, long enough for a weekend's backlog. */
export const MUTE_LINK_LIFETIME_MS = 7 * 24 * 3600_000;
/** What the link mutes for. */
export const MUTE_LINK_HOURS = 8;

/** Derived once per encryption key: every delivery signs a link, and HKDF costs more than the HMAC. */
const derived = new WeakMap<Buffer, Buffer>();
const keyFor = (secret: Buffer) => {
  let key = derived.get(secret);
  if (!key) {
    key = Buffer.from(
      hkdfSync("sha256", secret, Buffer.alloc(0), "training-alerts mute link v1", 32),
    );
    derived.set(secret, key);
  }
  return key;
};

const mac = (secret: Buffer, payload: string) =>
  createHmac("sha256", keyFor(secret)).update(payload).digest("base64url");

/** `payload.signature`, both base64url. */
export function signMuteGrant(grant: MuteGrant, secret: Buffer): string {
  const payload = Buffer.from(
    JSON.stringify({
      u: grant.userId,
      s: grant.scope,
      v: grant.value,
      h: grant.hours,
      e: Math.floor(grant.expiresAt.getTime() / 1000),
    }),
  ).toString("base64url");
  return `${payload}.${mac(secret, payload)}`;
}

export type MuteLinkCheck =
  | { ok: true; grant: MuteGrant }
  | { ok: false; reason: "invalid" | "expired" };

/**
 * Checks a token against every current key (the first signs; older ones
 * still verify during a rotation). A changed byte is `invalid`; a link past
 * its time is `expired` — and only a genuine one can be told apart as such.
 */
export function verifyMuteToken(token: string, secrets: Buffer[], now: Date): MuteLinkCheck {
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined) return { ok: false, reason: "invalid" };
  const given = Buffer.from(signature);
  const genuine = secrets.some((secret) => {
    const expected = Buffer.from(mac(secret, payload));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!genuine) return { ok: false, reason: "invalid" };
  let body: { u?: unknown; s?: unknown; v?: unknown; h?: unknown; e?: unknown };
  try {
    body = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "invalid" };
  }
  if (
    typeof body.u !== "string" ||
    (body.s !== "job" && body.s !== "group" && body.s !== "type") ||
    typeof body.v !== "string" ||
    typeof body.h !== "number" ||
    typeof body.e !== "number"
  ) {
    return { ok: false, reason: "invalid" };
  }
  const expiresAt = new Date(body.e * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: "expired" };
  return {
    ok: true,
    grant: { userId: body.u, scope: body.s, value: body.v, hours: body.h, expiresAt },
  };
}

/** The link an alert carries: `${appUrl}/mute?t=…`. */
export function muteLinkUrl(appUrl: string, token: string): string {
  return `${appUrl}/mute?t=${encodeURIComponent(token)}`;
}
