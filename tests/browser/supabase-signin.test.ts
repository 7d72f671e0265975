import { stringToBase64URL } from "@supabase/ssr";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readStoredSession, SESSION_COOKIE } from "@/lib/web/supabase-auth";
import { describeViolations, launchChromium, seriousViolations } from "../helpers/browser";
import { type GoTrue, startGoTrue } from "../helpers/gotrue";
import { type NextServer, startNextServer } from "../helpers/next-server";

/*
 * Sign-in with Supabase configured: the server signs in through
 * @supabase/ssr against a GoTrue stand-in on a real socket that issues HS256
 * access tokens signed with the project's JWT secret, as Supabase does —
 * password, magic link and OAuth (PKCE, back through /auth/callback), with
 * refresh and sign-out. There is no dev sign-in then.
 */

const JWT_SECRET = "supabase-test-jwt-secret-0123456789abcdef";
const ANON_KEY = "anon-key-for-the-browser-test-0123456789";
const EMAIL = "grace@example.com";
const PASSWORD = "correct horse battery staple";

let gotrue: GoTrue;
let server: NextServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  gotrue = await startGoTrue({ jwtSecret: JWT_SECRET, users: { [EMAIL]: PASSWORD } });
  [server, browser] = await Promise.all([
    startNextServer({
      SUPABASE_JWT_SECRET: JWT_SECRET,
      NEXT_PUBLIC_SUPABASE_URL: gotrue.url,
      NEXT_PUBLIC_SUPABASE_ANON_KEY: ANON_KEY,
      ALERTS_SUPABASE_OAUTH_PROVIDERS: "github,google",
    }),
    launchChromium(),
  ]);
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await gotrue?.close();
});

const cookies = () => page.context().cookies(server.url);
const storedSession = async () => {
  const jar = await cookies();
  return readStoredSession((name) => jar.find((c) => c.name === name)?.value);
};

async function signOutHere() {
  await page.goto(`${server.url}/settings/alerts`);
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/signin$/);
}

describe("sign-in with Supabase configured", () => {
  it("offers email and password, not the dev sign-in, and says why a sign-in failed", async () => {
    await page.goto(`${server.url}/alerts/history`);
    expect(new URL(page.url()).pathname).toBe("/signin");
    expect(await page.getByText("local mode").count()).toBe(0);
    await page.getByLabel("Email address").fill(EMAIL);
    await page.getByLabel("Password").fill("wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect
      .poll(() => page.locator("form .banner-error").textContent())
      .toBe("Invalid login credentials");
    const violations = await seriousViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
  });

  it("signs in with the Supabase session's access token, and the pages use it", async () => {
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/alerts/history`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Alert history");
    await expect.poll(() => page.locator(".account-email").textContent()).toBe(EMAIL);
    // No dev extras outside local mode.
    expect(await page.getByRole("link", { name: "Outbox" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Send a sample event" }).count()).toBe(0);
    expect(gotrue.calls.every((c) => c.apikey === ANON_KEY)).toBe(true);
    // The session's tokens are in cookies that no script on the page can read.
    const jar = await cookies();
    expect(jar.map((c) => c.name)).toContain(SESSION_COOKIE);
    expect(jar.every((c) => c.httpOnly)).toBe(true);
    expect(await page.evaluate(() => document.cookie)).toBe("");
  });

  it("refreshes an expired access token with the refresh token when a page is opened", async () => {
    // An hour later: the access token has expired, the refresh token has not.
    const before = await storedSession();
    const expired = {
      access_token: await gotrue.accessToken(EMAIL, 2 * 3600),
      refresh_token: before?.refreshToken,
      token_type: "bearer",
      expires_in: 3600,
      expires_at: Math.floor(Date.now() / 1000) - 3600,
      user: { id: "x", aud: "authenticated", email: EMAIL, app_metadata: {}, user_metadata: {} },
    };
    await page.context().addCookies([
      {
        name: SESSION_COOKIE,
        value: `base64-${stringToBase64URL(JSON.stringify(expired))}`,
        url: server.url,
        httpOnly: true,
      },
    ]);
    await page.goto(`${server.url}/settings/alerts`);
    expect(page.url()).toBe(`${server.url}/settings/alerts`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Alert settings");
    const refresh = gotrue.calls.find((c) => c.path === "/auth/v1/token?grant_type=refresh_token");
    expect(refresh?.body.refresh_token).toBe(before?.refreshToken);
    const after = await storedSession();
    expect(after?.refreshToken).toMatch(/^refresh-\d+$/);
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
  });

  it("has no dev outbox, and signs out through Supabase", async () => {
    const outbox = await page.goto(`${server.url}/dev/outbox`);
    expect(outbox?.status()).toBe(404);
    await signOutHere();
    const logout = gotrue.calls.find((c) => c.path.startsWith("/auth/v1/logout"));
    expect(logout?.authorization).toMatch(/^Bearer ey/);
    expect(await cookies()).toEqual([]);
  });

  it("signs in by magic link: the emailed link comes back through /auth/callback", async () => {
    await page.goto(`${server.url}/signin?next=%2Falerts%2Fhistory`);
    await page.getByLabel("Email for a sign-in link").fill(EMAIL);
    await page.getByRole("button", { name: "Email me a link" }).click();
    await expect
      .poll(() => page.getByRole("status").textContent())
      .toBe(`We sent a sign-in link to ${EMAIL}. Open it in this browser to sign in.`);
    const mail = gotrue.mails.at(-1);
    expect(mail?.email).toBe(EMAIL);
    // The link goes to Supabase, which sends the browser back with a PKCE code.
    await page.goto(mail?.link ?? "");
    await page.waitForURL(`${server.url}/alerts/history`);
    await expect.poll(() => page.locator(".account-email").textContent()).toBe(EMAIL);
    const pkce = gotrue.calls.find((c) => c.path === "/auth/v1/token?grant_type=pkce");
    expect(pkce?.body.code_verifier).toBeTruthy();
    expect((await cookies()).map((c) => c.name)).not.toContain(`${SESSION_COOKIE}-code-verifier`);
    await signOutHere();
  });

  it("says so when a sign-in link was already used", async () => {
    const used = gotrue.mails.at(-1)?.link ?? "";
    await page.goto(used);
    await page.waitForURL(/\/signin\?/);
    await expect
      .poll(() => page.locator("main > .banner-error").textContent())
      .toBe("Email link is invalid or has expired");
  });

  it("goes to an OAuth provider and back, signed in", async () => {
    await page.goto(`${server.url}/signin?next=%2Fsettings%2Falerts`);
    expect(await page.getByRole("button", { name: "Continue with Google" }).count()).toBe(1);
    await page.getByRole("button", { name: "Continue with GitHub" }).click();
    await page.waitForURL(`${server.url}/settings/alerts`);
    const authorize = gotrue.calls.find((c) => c.path.startsWith("/auth/v1/authorize"));
    const params = new URL(authorize?.path ?? "", gotrue.url).searchParams;
    expect(params.get("provider")).toBe("github");
    expect(params.get("redirect_to")).toBe(`${server.url}/auth/callback?next=%2Fsettings%2Falerts`);
    await expect
      .poll(() => page.locator(".account-email").textContent())
      .toBe("github-user@example.com");
  });
});
