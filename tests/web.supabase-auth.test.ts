import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CookieJar,
  exchangeCode,
  oauthUrl,
  readStoredSession,
  SESSION_COOKIE,
  SupabaseAuthError,
  sendMagicLink,
  signInWithPassword,
  signOut,
  supabaseClient,
} from "@/lib/web/supabase-auth";
import { type GoTrue, startGoTrue } from "./helpers/gotrue";

/*
 * Sign-in through @supabase/ssr against a GoTrue stand-in on a real socket,
 * with a cookie jar that behaves as a browser's: what the library sets comes
 * back on the next request, Max-Age=0 removes.
 */

const JWT_SECRET = "supabase-unit-test-jwt-secret-0123456789";
const EMAIL = "ada@example.com";
let gotrue: GoTrue;

beforeAll(async () => {
  gotrue = await startGoTrue({ jwtSecret: JWT_SECRET, users: { [EMAIL]: "right" } });
});
afterAll(() => gotrue.close());

class Jar implements CookieJar {
  readonly cookies = new Map<string, { value: string; options: Record<string, unknown> }>();
  getAll() {
    return [...this.cookies].map(([name, { value }]) => ({ name, value }));
  }
  setAll(list: { name: string; value: string; options: Record<string, unknown> }[]) {
    for (const { name, value, options } of list) {
      if (options.maxAge === 0) this.cookies.delete(name);
      else this.cookies.set(name, { value, options });
    }
  }
  session() {
    return readStoredSession((name) => this.cookies.get(name)?.value);
  }
}

const client = (jar: Jar, url = gotrue.url) =>
  supabaseClient({ supabaseUrl: `${url}/`, anonKey: "anon" }, jar, { secure: false });

/** Follows a link as the browser would, up to the app's callback; answers the callback URL. */
async function follow(link: string): Promise<URL> {
  const res = await fetch(link, { redirect: "manual" });
  expect(res.status).toBe(303);
  return new URL(res.headers.get("location") ?? "");
}

describe("Supabase sign-in through @supabase/ssr", () => {
  it("signs in with a password, keeps the session in httpOnly cookies and refreshes it", async () => {
    const jar = new Jar();
    const token = await signInWithPassword(client(jar), EMAIL, "right");
    const stored = await jar.session();
    expect(stored?.accessToken).toBe(token);
    expect(stored?.refreshToken).toMatch(/^refresh-\d+$/);
    expect([...jar.cookies.values()].every((c) => c.options.httpOnly === true)).toBe(true);
    expect(jar.cookies.has(SESSION_COOKIE)).toBe(true);

    // The next request's client finds the session and, asked to, refreshes it.
    const { data, error } = await client(jar).auth.refreshSession();
    expect(error).toBeNull();
    const refreshed = await jar.session();
    expect(refreshed?.refreshToken).not.toBe(stored?.refreshToken);
    expect(data.session?.access_token).toBe(refreshed?.accessToken);
    const refresh = gotrue.calls.filter(
      (c) => c.path === "/auth/v1/token?grant_type=refresh_token",
    );
    expect(refresh.at(-1)?.body.refresh_token).toBe(stored?.refreshToken);
    expect(gotrue.calls.every((c) => c.apikey === "anon")).toBe(true);
  });

  it("passes on GoTrue's own words when it refuses", async () => {
    const error = await signInWithPassword(client(new Jar()), EMAIL, "wrong").catch((e) => e);
    expect(error).toBeInstanceOf(SupabaseAuthError);
    expect(error.message).toBe("Invalid login credentials");
    expect(error.status).toBe(400);
  });

  it("says Supabase is unreachable rather than that the password is wrong", async () => {
    const jar = new Jar();
    const error = await signInWithPassword(client(jar, "http://127.0.0.1:1"), EMAIL, "right").catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(SupabaseAuthError);
    expect(error.status).toBe(503);
    expect(error.message).toMatch(/could not be reached/);
  });

  it("signs in by magic link: the link comes back with a code that only this browser's verifier redeems", async () => {
    const jar = new Jar();
    await sendMagicLink(client(jar), EMAIL, "http://app.example/auth/callback?next=%2Ftraining");
    const otp = gotrue.calls.findLast((c) => c.path.startsWith("/auth/v1/otp"));
    expect(otp?.body.email).toBe(EMAIL);
    expect(otp?.body.code_challenge_method).toBe("s256");
    // The verifier waits in a cookie of this browser for the callback.
    expect(jar.cookies.has(`${SESSION_COOKIE}-code-verifier`)).toBe(true);

    const mail = gotrue.mails.at(-1);
    expect(mail?.email).toBe(EMAIL);
    const callback = await follow(mail?.link ?? "");
    expect(`${callback.origin}${callback.pathname}`).toBe("http://app.example/auth/callback");
    expect(callback.searchParams.get("next")).toBe("/training");
    const code = callback.searchParams.get("code") ?? "";

    // Another browser (no verifier) cannot redeem the code…
    const stolen = await exchangeCode(client(new Jar()), code).catch((e) => e);
    expect(stolen).toBeInstanceOf(SupabaseAuthError);

    // …this one can, once (the stand-in, like GoTrue, forgets a code once tried).
    await sendMagicLink(client(jar), EMAIL, "http://app.example/auth/callback");
    const again = await follow(gotrue.mails.at(-1)?.link ?? "");
    const token = await exchangeCode(client(jar), again.searchParams.get("code") ?? "");
    expect((await jar.session())?.accessToken).toBe(token);
    expect(jar.cookies.has(`${SESSION_COOKIE}-code-verifier`)).toBe(false);
  });

  it("goes through an OAuth provider and back with a PKCE code", async () => {
    const jar = new Jar();
    const url = new URL(await oauthUrl(client(jar), "github", "http://app.example/auth/callback"));
    expect(url.pathname).toBe("/auth/v1/authorize");
    expect(url.searchParams.get("provider")).toBe("github");
    expect(url.searchParams.get("redirect_to")).toBe("http://app.example/auth/callback");
    expect(url.searchParams.get("code_challenge")).toBeTruthy();
    const callback = await follow(url.toString());
    await exchangeCode(client(jar), callback.searchParams.get("code") ?? "");
    const stored = await jar.session();
    expect(stored?.accessToken.split(".")).toHaveLength(3);
  });

  it("signs out through Supabase, clearing the cookies, and does not fail when Supabase is away", async () => {
    const jar = new Jar();
    await signInWithPassword(client(jar), EMAIL, "right");
    await signOut(client(jar));
    const logout = gotrue.calls.findLast((c) => c.path.startsWith("/auth/v1/logout"));
    expect(logout?.path).toBe("/auth/v1/logout?scope=local");
    expect(logout?.authorization).toMatch(/^Bearer ey/);
    expect(jar.getAll()).toEqual([]);

    const away = new Jar();
    await signInWithPassword(client(away), EMAIL, "right");
    await signOut(client(away, "http://127.0.0.1:1"));
  });
});
