import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "./browser";
import { type NextServer, startNextServer } from "./next-server";
import { type Responder, startReceiver } from "./receiver";

export interface UiSession {
  server: NextServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  receiver: Awaited<ReturnType<typeof startReceiver>>;
  /** Signs `email` in through the dev sign-in and lands on `path`. */
  signIn(email: string, path: string): Promise<void>;
  /** The signed-in user's token, read from the httpOnly cookie (the test may; page scripts may not). */
  userToken(): Promise<string>;
  close(): Promise<void>;
}

/**
 * A browser test's world: `next start` of the build on a fresh embedded
 * database, Chromium with one 1280-wide page, and a local receiver
 * answering with `respond`.
 */
export async function startUiSession(respond?: Responder): Promise<UiSession> {
  const [server, browser, receiver] = await Promise.all([
    startNextServer(),
    launchChromium(),
    startReceiver(respond),
  ]);
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: "en-GB",
  });
  const page = await context.newPage();
  return {
    server,
    browser,
    context,
    page,
    receiver,
    async signIn(email, path) {
      await page.goto(`${server.url}/signin?next=${encodeURIComponent(path)}`);
      await page.getByLabel("Email address").fill(email);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${server.url}${path}`);
    },
    async userToken() {
      const cookie = (await context.cookies(server.url)).find((c) => c.name === "ta_token");
      if (!cookie) throw new Error("not signed in: no ta_token cookie");
      return cookie.value;
    },
    async close() {
      await browser.close();
      await receiver.close();
      await server.stop();
    },
  };
}
