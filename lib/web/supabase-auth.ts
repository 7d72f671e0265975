import { combineChunks, createServerClient, stringFromBase64URL } from "@supabase/ssr";
import type { AuthError, SupabaseClient, SupabaseClientOptions } from "@supabase/supabase-js";

type Transport = NonNullable<NonNullable<SupabaseClientOptions<"public">["realtime"]>["transport"]>;

/**
 * Supabase Auth for the web UI, through Supabase's own `@supabase/ssr`: the
 * library keeps the session in cookies (chunked, refreshed, PKCE code
 * verifier and all); we only say which cookies, and that browser scripts may
 * never read them (httpOnly). Everything runs on the server: sign-in forms
 * are server actions, the PKCE code comes back to `/auth/callback`.
 */

/** The session cookie's name (the library adds `.0`, `.1`… chunks and `-code-verifier`). */
export const SESSION_COOKIE = "ta-auth";

export interface WebAuthConfig {
  /** The project URL, e.g. https://abc.supabase.co (NEXT_PUBLIC_SUPABASE_URL). */
  supabaseUrl: string;
  /** The project's anon key (NEXT_PUBLIC_SUPABASE_ANON_KEY), sent as `apikey`. */
  anonKey: string;
}

export interface CookieToSet {
  name: string;
  value: string;
  options: Record<string, unknown>;
}

/** Where the session's cookies are read and written: Next's `cookies()`, or a test's jar. */
export interface CookieJar {
  getAll(): { name: string; value: string }[];
  setAll(cookies: CookieToSet[]): void;
}

export interface ClientOptions {
  /** Mark cookies Secure (the app is served over https). */
  secure: boolean;
  /** Injected for tests; default the global fetch. */
  fetch?: typeof fetch;
}

/** A Supabase client whose session lives in `jar`. One per request. */
export function supabaseClient(
  config: WebAuthConfig,
  jar: CookieJar,
  options: ClientOptions,
): SupabaseClient {
  return createServerClient(config.supabaseUrl, config.anonKey, {
    cookieOptions: {
      name: SESSION_COOKIE,
      httpOnly: true,
      sameSite: "lax",
      secure: options.secure,
      path: "/",
    },
    cookies: {
      getAll: () => jar.getAll(),
      setAll: (cookies: CookieToSet[]) => jar.setAll(cookies),
    },
    global: options.fetch ? { fetch: options.fetch } : undefined,
    // Only Auth is used. supabase-js builds its Realtime client up front and,
    // on Node 20 (no global WebSocket), fails unless given a transport; this
    // one says why if anything ever tried to open a socket.
    realtime: { transport: NoRealtime as unknown as Transport },
  });
}

class NoRealtime {
  constructor() {
    throw new Error("The web UI uses Supabase Auth only; Realtime is not set up.");
  }
}

export interface StoredSession {
  accessToken: string;
  refreshToken: string;
  /** Seconds since the epoch when the access token expires. */
  expiresAt: number | undefined;
}

/**
 * The session as the library stored it in the cookies, read without a
 * client: pages cannot set cookies, so they must not start a client that
 * would refresh an expired session (and lose the new refresh token). They
 * read it here and send the browser to `/auth/refresh` when it has expired.
 */
export async function readStoredSession(
  get: (name: string) => string | undefined,
): Promise<StoredSession | undefined> {
  const raw = await combineChunks(SESSION_COOKIE, (name) => get(name));
  if (!raw) return undefined;
  try {
    const json = raw.startsWith("base64-") ? stringFromBase64URL(raw.slice(7)) : raw;
    const session = JSON.parse(json) as Record<string, unknown>;
    if (typeof session.access_token !== "string" || typeof session.refresh_token !== "string") {
      return undefined;
    }
    return {
      accessToken: session.access_token,
      refreshToken: session.refresh_token,
      expiresAt: typeof session.expires_at === "number" ? session.expires_at : undefined,
    };
  } catch {
    return undefined;
  }
}

/** A refusal from Supabase Auth (bad password, expired link, revoked refresh token…), or its absence. */
export class SupabaseAuthError extends Error {
  override name = "SupabaseAuthError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Supabase's own words when it refused; a plain "could not be reached" when it never answered. */
export function authError(error: AuthError): SupabaseAuthError {
  const status = typeof error.status === "number" ? error.status : 0;
  if (status === 0 || error.name === "AuthRetryableFetchError") {
    return new SupabaseAuthError(
      `Supabase Auth could not be reached (${error.message}); try again shortly.`,
      503,
    );
  }
  return new SupabaseAuthError(error.message, status);
}

export async function signInWithPassword(
  client: SupabaseClient,
  email: string,
  password: string,
): Promise<string> {
  const { data, error } = await client.auth.signInWithPassword({ email, password });
  if (error) throw authError(error);
  if (!data.session) throw new SupabaseAuthError("Supabase Auth answered without a session.", 502);
  return data.session.access_token;
}

/** Emails a sign-in link that comes back to `redirectTo` with a PKCE code. */
export async function sendMagicLink(
  client: SupabaseClient,
  email: string,
  redirectTo: string,
): Promise<void> {
  const { error } = await client.auth.signInWithOtp({
    email,
    options: { emailRedirectTo: redirectTo, shouldCreateUser: false },
  });
  if (error) throw authError(error);
}

/** The provider's consent page to send the browser to; it comes back to `redirectTo` with a PKCE code. */
export async function oauthUrl(
  client: SupabaseClient,
  provider: string,
  redirectTo: string,
): Promise<string> {
  const { data, error } = await client.auth.signInWithOAuth({
    // Providers are the deployment's list (ALERTS_SUPABASE_OAUTH_PROVIDERS), checked at start-up.
    provider: provider as Parameters<SupabaseClient["auth"]["signInWithOAuth"]>[0]["provider"],
    options: { redirectTo, skipBrowserRedirect: true },
  });
  if (error) throw authError(error);
  if (!data.url) throw new SupabaseAuthError("Supabase Auth gave no sign-in address.", 502);
  return data.url;
}

/** Trades the PKCE code of a magic link or an OAuth round trip for a session. */
export async function exchangeCode(client: SupabaseClient, code: string): Promise<string> {
  const { data, error } = await client.auth.exchangeCodeForSession(code);
  if (error) throw authError(error);
  return data.session.access_token;
}

/** Revokes this session's refresh token and clears its cookies; Supabase being away does not keep them. */
export async function signOut(client: SupabaseClient): Promise<void> {
  try {
    const { error } = await client.auth.signOut({ scope: "local" });
    if (!error) return;
  } catch {
    // Signing out locally must not depend on Supabase being reachable.
  }
}
