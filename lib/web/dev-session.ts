import { email as emailField } from "../alerts/api/fields";
import type { Config } from "../config/config";
import { HttpError } from "../http/errors";
import { signUserToken, userIdForEmail } from "../http/tokens";

/** How long a dev sign-in lasts: a working week, so a newcomer is not signed out mid-task. */
export const DEV_SESSION_SECONDS = 7 * 24 * 3600;

export interface MintedSession {
  token: string;
  userId: string;
  email: string;
  /** Seconds until the token expires (the cookie's Max-Age). */
  maxAge: number;
}

/**
 * Local mode's dev sign-in: any email becomes a user token signed with the
 * local secret, for the same user id `npm run token -- --email` gives. It does
 * not exist outside local mode: with auth configured, tokens come from
 * Supabase only, so this answers 404 as if there were nothing here.
 */
export async function mintDevSession(
  config: Pick<Config, "localMode" | "auth">,
  rawEmail: string,
  now: Date,
): Promise<MintedSession> {
  const secret = config.auth.jwtSecret;
  if (!config.localMode || !secret) {
    throw new HttpError(
      "not_found",
      "Dev sign-in exists only in local mode (neither SUPABASE_JWT_SECRET nor SUPABASE_URL set).",
    );
  }
  const parsed = emailField.safeParse(rawEmail.trim().toLowerCase());
  if (!parsed.success) {
    throw HttpError.field("email", parsed.error.issues[0]?.message ?? "must be an email address");
  }
  const email = parsed.data;
  const userId = userIdForEmail(email);
  const token = await signUserToken(secret, {
    sub: userId,
    email,
    now,
    expiresIn: DEV_SESSION_SECONDS,
  });
  return { token, userId, email, maxAge: DEV_SESSION_SECONDS };
}
