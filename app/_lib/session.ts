import type { SupabaseClient } from "@supabase/supabase-js";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { type AppContext, getContext } from "@/lib/server/context";
import { readStoredSession, SESSION_COOKIE, supabaseClient } from "@/lib/web/supabase-auth";

/**
 * The web UI's session, always in httpOnly cookies that browser scripts never
 * see. Local mode: a dev token in `ta_token`. With Supabase: the session that
 * `@supabase/ssr` keeps in `ta-auth` cookies (access and refresh token). Server
 * code reads the access token and calls the API with it; the API verifies it
 * (SUPABASE_JWT_SECRET or JWKS) as it verifies any caller's.
 */

export const TOKEN_COOKIE = "ta_token";

export interface Session {
  token: string;
  userId: string;
  email: string | undefined;
}

/** The access token in the cookies (not verified), if any. */
async function cookieToken(ctx: AppContext): Promise<{ token?: string; refreshable: boolean }> {
  const store = await cookies();
  if (!ctx.config.webAuth) return { token: store.get(TOKEN_COOKIE)?.value, refreshable: false };
  const stored = await readStoredSession((name) => store.get(name)?.value);
  return { token: stored?.accessToken, refreshable: stored !== undefined };
}

/** The signed-in user, or undefined when there is no valid token. */
export async function getSession(): Promise<Session | undefined> {
  const ctx = await getContext();
  const { token } = await cookieToken(ctx);
  return token ? verifyToken(ctx, token) : undefined;
}

/**
 * The signed-in user for a page; otherwise a redirect to sign in (or, with a
 * Supabase session whose access token expired, to the refresh route first:
 * pages cannot set cookies), coming back to `here` afterwards.
 */
export async function requireSession(here: string): Promise<Session> {
  const ctx = await getContext();
  const { token, refreshable } = await cookieToken(ctx);
  const session = token ? await verifyToken(ctx, token) : undefined;
  if (session) return session;
  const next = encodeURIComponent(safeNext(here));
  if (refreshable) redirect(`/auth/refresh?next=${next}`);
  redirect(`/signin?next=${next}`);
}

/**
 * The signed-in user inside a server action or route handler, refreshing an
 * expired Supabase session when it can (they, unlike pages, may set cookies).
 */
export async function actionSession(): Promise<Session | undefined> {
  const current = await getSession();
  if (current) return current;
  const ctx = await getContext();
  const refreshed = await refreshSession(ctx);
  return refreshed ? verifyToken(ctx, refreshed) : undefined;
}

/**
 * A Supabase client whose session lives in this request's cookies. Only in
 * server actions and route handlers: the library writes cookies when the
 * session changes.
 */
export async function webAuthClient(ctx: AppContext): Promise<SupabaseClient | undefined> {
  if (!ctx.config.webAuth) return undefined;
  const store = await cookies();
  return supabaseClient(
    ctx.config.webAuth,
    {
      getAll: () => store.getAll().map(({ name, value }) => ({ name, value })),
      setAll: (list) => {
        for (const { name, value, options } of list) store.set(name, value, options);
      },
    },
    { secure: secureCookies(ctx) },
  );
}

/**
 * Lets the library refresh the Supabase session from its refresh token and
 * store the new one. Answers the new access token, or undefined (and no
 * session cookies) when that fails.
 */
export async function refreshSession(ctx: AppContext): Promise<string | undefined> {
  const client = await webAuthClient(ctx);
  if (!client) return undefined;
  try {
    const { data, error } = await client.auth.refreshSession();
    if (data.session) return data.session.access_token;
    if (error) ctx.log.info({ err: error }, "could not refresh a Supabase session");
  } catch (error) {
    ctx.log.info({ err: error }, "could not refresh a Supabase session");
  }
  await clearSessionCookies();
  return undefined;
}

/** Local mode's dev sign-in: the minted token in `ta_token`. */
export async function setDevSessionCookie(
  ctx: AppContext,
  session: { token: string; maxAge: number },
): Promise<void> {
  const store = await cookies();
  store.set(TOKEN_COOKIE, session.token, {
    httpOnly: true,
    sameSite: "lax",
    secure: secureCookies(ctx),
    path: "/",
    maxAge: session.maxAge,
  });
}

/** Removes every session cookie: the dev token, and the Supabase session's chunks and code verifier. */
export async function clearSessionCookies(): Promise<void> {
  const store = await cookies();
  for (const { name } of store.getAll()) {
    if (name === TOKEN_COOKIE || name.startsWith(SESSION_COOKIE)) store.delete(name);
  }
}

/**
 * Secure whenever the app is served over https; local mode runs on plain
 * http://127.0.0.1, where a Secure cookie would not come back.
 */
function secureCookies(ctx: AppContext): boolean {
  return ctx.config.appUrl.startsWith("https:");
}

/** A same-site path to return to after sign-in; anything else becomes the settings page. */
export function safeNext(next: unknown): string {
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//")) {
    return "/settings/alerts";
  }
  // Browsers drop tabs and newlines from URLs: "/\t/evil.example" would become "//evil.example".
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\x00-\x1f\x7f]/.test(next)) return "/settings/alerts";
  if (next.startsWith("/signin") || next.startsWith("/auth/") || next.includes("\\")) {
    return "/settings/alerts";
  }
  return next;
}

/** The user a token belongs to, verified as the API verifies it; undefined when it is not valid. */
export async function verifyToken(ctx: AppContext, token: string): Promise<Session | undefined> {
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
