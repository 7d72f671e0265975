/**
 * Supabase Auth (GoTrue) over its REST endpoints: password sign-in, token
 * refresh and sign-out. Enough for the web UI to hold a Supabase session
 * server-side without the supabase-js client.
 */

export interface SupabaseAuthOptions {
  /** The project URL, e.g. https://abc.supabase.co (NEXT_PUBLIC_SUPABASE_URL). */
  supabaseUrl: string;
  /** The project's anon key (NEXT_PUBLIC_SUPABASE_ANON_KEY), sent as `apikey`. */
  anonKey: string;
  /** Injected for tests; default the global fetch. */
  fetch?: typeof fetch;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
}

export interface SupabaseSession {
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token lives. */
  expiresIn: number;
}

/** A refusal from Supabase Auth (bad password, unconfirmed email, revoked refresh token…). */
export class SupabaseAuthError extends Error {
  override name = "SupabaseAuthError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface SupabaseAuth {
  signInWithPassword(email: string, password: string): Promise<SupabaseSession>;
  refresh(refreshToken: string): Promise<SupabaseSession>;
  /** Revokes the session's refresh tokens; failures are ignored (the cookies go anyway). */
  signOut(accessToken: string): Promise<void>;
}

export function createSupabaseAuth(options: SupabaseAuthOptions): SupabaseAuth {
  const base = `${options.supabaseUrl.replace(/\/+$/, "")}/auth/v1`;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function grant(type: string, body: Record<string, string>): Promise<SupabaseSession> {
    let res: Response;
    try {
      res = await doFetch(`${base}/token?grant_type=${type}`, {
        method: "POST",
        headers: { apikey: options.anonKey, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new SupabaseAuthError(
        `Supabase Auth could not be reached (${(error as Error).message}); try again shortly.`,
        503,
      );
    }
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) throw new SupabaseAuthError(refusal(json, res.status), res.status);
    const { access_token, refresh_token, expires_in } = json;
    if (typeof access_token !== "string" || typeof refresh_token !== "string") {
      throw new SupabaseAuthError("Supabase Auth answered without a session.", 502);
    }
    return {
      accessToken: access_token,
      refreshToken: refresh_token,
      expiresIn: typeof expires_in === "number" ? expires_in : 3600,
    };
  }

  return {
    signInWithPassword: (email, password) => grant("password", { email, password }),
    refresh: (refreshToken) => grant("refresh_token", { refresh_token: refreshToken }),
    async signOut(accessToken) {
      try {
        await doFetch(`${base}/logout?scope=local`, {
          method: "POST",
          headers: { apikey: options.anonKey, authorization: `Bearer ${accessToken}` },
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch {
        // Signing out locally must not depend on Supabase being reachable.
      }
    },
  };
}

/** GoTrue's error bodies differ by version: `{ error_description }` or `{ msg }`. */
function refusal(json: Record<string, unknown>, status: number): string {
  for (const key of ["error_description", "msg", "message", "error"]) {
    const value = json[key];
    if (typeof value === "string" && value) return value;
  }
  return `Supabase Auth refused the request (HTTP ${status}).`;
}
