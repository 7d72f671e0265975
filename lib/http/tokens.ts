import { createHash } from "node:crypto";
import { SignJWT } from "jose";

export interface UserTokenClaims {
  sub: string;
  email?: string;
  /** Lifetime, e.g. "30d" or seconds. Default "30d". */
  expiresIn?: string | number;
  /** Issue time; defaults to now. */
  now?: Date;
}

/**
 * Signs a user access token shaped like Supabase's (HS256, `aud` and `role`
 * "authenticated"). Local mode's `npm run token` and the tests use it.
 */
export async function signUserToken(secret: string, claims: UserTokenClaims): Promise<string> {
  const now = Math.floor((claims.now ?? new Date()).getTime() / 1000);
  const expiresIn = claims.expiresIn ?? "30d";
  return new SignJWT({ email: claims.email, role: "authenticated" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.sub)
    .setAudience("authenticated")
    .setIssuedAt(now)
    .setExpirationTime(typeof expiresIn === "number" ? now + expiresIn : expiresIn)
    .sign(new TextEncoder().encode(secret));
}

/** A stable user id for an email, so the same address always signs in as the same user. */
export function userIdForEmail(email: string): string {
  const h = createHash("sha256")
    .update(`training-alerts:${email.trim().toLowerCase()}`)
    .digest("hex");
  // Shaped as a version 4, variant 1 UUID.
  const variant = ((Number.parseInt(h[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
