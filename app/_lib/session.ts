import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { type AppContext, getContext } from "@/lib/server/context";
import { createSupabaseAuth } from "@/lib/web/supabase-auth";

/**
 * The web UI's session: the user's access token (a dev token in local mode, a
 * Supabase access token otherwise) in an httpOnly cookie, plus Supabase's
 * refresh token in a second one. Server code reads them and calls the API
 * with the access token; browser scripts never see either.
 */

export const TOKEN_COOKIE = "ta_token";
export const REFRESH_COOKIE = "ta_refresh";
/** Supabase refresh tokens outlive access tokens; the cookie keeps one for 30 days. */
const REFRESH_MAX_AGE = 30 * 24 * 3600;

export interface Session {
  token: string;
  userId: string;
  email: string | undefined;
}

/** The signed-in user, or undefined when there is no valid token. */
export async function getSession(): Promise<Session | undefined> {
  const token = (await cookies()).get(TOKEN_COOKIE)?.value;
  if (!token) return undefined;
  return verifyToken(await getContext(), token);
}

/**
 * The signed-in user for a page; otherwise a redirect to sign in (or, with
 * Supabase, to the refresh route first), coming back to `here` afterwards.
 */
export async function requireSession(here: string): Promise<Session> {
  const session = await getSession();
  if (session) return session;
  const ctx = await getContext();
  const store = await cookies();
  const next = encodeURIComponent(safeNext(here));
  if (ctx.config.webAuth && store.get(REFRESH_COOKIE)?.value) {
    redirect(`/auth/refresh?next=${next}`);
  }
  redirect(`/signin?next=${next}`);
}

/**
 * The signed-in user inside a server action, refreshing an expired Supabase
 * session when it can (actions, unlike pages, may set cookies).
 */
export async function actionSession(): Promise<Session | undefined> {
  const current = await getSession();
  if (current) return current;
  const ctx = await getContext();
  const refreshed = await refreshSession(ctx);
  return refreshed ? verifyToken(ctx, refreshed) : undefined;
}

/**
 * Trades the refresh cookie for a new Supabase session and stores it.
 * Answers the new access token, or undefined (and no cookies) when that fails.
 */
export async function refreshSession(ctx: AppContext): Promise<string | undefined> {
  const store = await cookies();
  const refreshToken = store.get(REFRESH_COOKIE)?.value;
  if (!ctx.config.webAuth || !refreshToken) return undefined;
  try {
    const session = await createSupabaseAuth(ctx.config.webAuth).refresh(refreshToken);
    await setSessionCookies(ctx, {
      token: session.accessToken,
      maxAge: session.expiresIn,
      refreshToken: session.refreshToken,
    });
    return session.accessToken;
  } catch (error) {
    ctx.log.info({ err: error }, "could not refresh a Supabase session");
    await clearSessionCookies();
    return undefined;
  }
}

export async function setSessionCookies(
  ctx: AppContext,
  session: { token: string; maxAge: number; refreshToken?: string },
): Promise<void> {
  const store = await cookies();
  // Secure whenever the app is served over https; local mode runs on plain
  // http://127.0.0.1, where a Secure cookie would not come back.
  const base = {
    httpOnly: true,
    sameSite: "lax" as const,
    secure: ctx.config.appUrl.startsWith("https:"),
    path: "/",
  };
  store.set(TOKEN_COOKIE, session.token, { ...base, maxAge: session.maxAge });
  if (session.refreshToken) {
    store.set(REFRESH_COOKIE, session.refreshToken, { ...base, maxAge: REFRESH_MAX_AGE });
  }
}

export async function clearSessionCookies(): Promise<void> {
  const store = await cookies();
  store.delete(TOKEN_COOKIE);
  store.delete(REFRESH_COOKIE);
}

/** A same-site path to return to after sign-in; anything else becomes the settings page. */
export function safeNext(next: unknown): string {
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//")) {
    return "/settings/alerts";
  }
  if (next.startsWith("/signin") || next.startsWith("/auth/") || next.includes("\\")) {
    return "/settings/alerts";
  }
  return next;
}

async function verifyToken(ctx: AppContext, token: string): Promise<Session | undefined> {
  try {
    const caller = await ctx.auth.authenticate(
      new Request("http://training-alerts.internal/", {
        headers: { authorization: `Bearer ${token}` },
      }),
    );
    // The service key is not a user session, even if someone puts it in the cookie.
    if (caller.kind !== "user") return undefined;
    return { token, userId: caller.userId, email: caller.email };
  } catch {
    return undefined;
  }
}
