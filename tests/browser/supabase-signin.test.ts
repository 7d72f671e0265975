import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUserToken, userIdForEmail } from "@/lib/http/tokens";
import { describeViolations, launchChromium, seriousViolations } from "../helpers/browser";
import { type NextServer, startNextServer } from "../helpers/next-server";

/*
 * Sign-in with Supabase configured: the server talks to Supabase Auth's REST
 * endpoints, played here by a small GoTrue stand-in on a real socket that
 * issues HS256 access tokens signed with the project's JWT secret, as
 * Supabase does. There is no dev sign-in then.
 */

const JWT_SECRET = "supabase-test-jwt-secret-0123456789abcdef";
const ANON_KEY = "anon-key-for-the-browser-test-0123456789";
const EMAIL = "grace@example.com";
const PASSWORD = "correct horse battery staple";

interface GoTrueCall {
  path: string;
  apikey: string | undefined;
  authorization: string | undefined;
  body: Record<string, string>;
}

const calls: GoTrueCall[] = [];
let gotrue: http.Server;
let server: NextServer;
let browser: Browser;
let page: Page;

/** An access token as Supabase issues it; `expired` makes one that expired an hour ago. */
const accessToken = (expired: boolean) =>
  signUserToken(JWT_SECRET, {
    sub: userIdForEmail(EMAIL),
    email: EMAIL,
    now: expired ? new Date(Date.now() - 2 * 3600_000) : new Date(),
    expiresIn: 3600,
  });

beforeAll(async () => {
  gotrue = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => {
      raw += c;
    });
    req.on("end", async () => {
      const body = raw ? (JSON.parse(raw) as Record<string, string>) : {};
      calls.push({
        path: req.url ?? "",
        apikey: req.headers.apikey as string | undefined,
        authorization: req.headers.authorization,
        body,
      });
      res.setHeader("content-type", "application/json");
      const session = async (token: string, refresh: string) =>
        res.end(JSON.stringify({ access_token: token, refresh_token: refresh, expires_in: 3600 }));
      if (req.url === "/auth/v1/token?grant_type=password") {
        if (body.email === EMAIL && body.password === PASSWORD) {
          return session(await accessToken(false), "refresh-1");
        }
        res.statusCode = 400;
        return res.end(
          JSON.stringify({
            error: "invalid_grant",
            error_description: "Invalid login credentials",
          }),
        );
      }
      if (req.url === "/auth/v1/token?grant_type=refresh_token" && body.refresh_token) {
        return session(await accessToken(false), "refresh-2");
      }
      if (req.url?.startsWith("/auth/v1/logout")) {
        res.statusCode = 204;
        return res.end();
      }
      res.statusCode = 404;
      res.end("{}");
    });
  });
  gotrue.listen(0, "127.0.0.1");
  await once(gotrue, "listening");
  const gotrueUrl = `http://127.0.0.1:${(gotrue.address() as AddressInfo).port}`;
  [server, browser] = await Promise.all([
    startNextServer({
      SUPABASE_JWT_SECRET: JWT_SECRET,
      NEXT_PUBLIC_SUPABASE_URL: gotrueUrl,
      NEXT_PUBLIC_SUPABASE_ANON_KEY: ANON_KEY,
    }),
    launchChromium(),
  ]);
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise<void>((resolve) => (gotrue ? gotrue.close(() => resolve()) : resolve()));
});

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
    expect(calls.every((c) => c.apikey === ANON_KEY)).toBe(true);
    const cookies = await page.context().cookies(server.url);
    expect(cookies.map((c) => [c.name, c.httpOnly])).toEqual(
      expect.arrayContaining([
        ["ta_token", true],
        ["ta_refresh", true],
      ]),
    );
  });

  it("refreshes an expired access token with the refresh token when a page is opened", async () => {
    // An hour later: the access token has expired, the refresh token has not.
    await page
      .context()
      .addCookies([
        { name: "ta_token", value: await accessToken(true), url: server.url, httpOnly: true },
      ]);
    await page.goto(`${server.url}/settings/alerts`);
    expect(page.url()).toBe(`${server.url}/settings/alerts`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Alert settings");
    const refresh = calls.find((c) => c.path === "/auth/v1/token?grant_type=refresh_token");
    expect(refresh?.body.refresh_token).toBe("refresh-1");
    const cookies = await page.context().cookies(server.url);
    expect(cookies.find((c) => c.name === "ta_refresh")?.value).toBe("refresh-2");
  });

  it("has no dev outbox, and signs out through Supabase", async () => {
    const outbox = await page.goto(`${server.url}/dev/outbox`);
    expect(outbox?.status()).toBe(404);
    await page.goto(`${server.url}/settings/alerts`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/signin$/);
    const logout = calls.find((c) => c.path.startsWith("/auth/v1/logout"));
    expect(logout?.authorization).toMatch(/^Bearer ey/);
    expect(await page.context().cookies(server.url)).toEqual([]);
  });
});
