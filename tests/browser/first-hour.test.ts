import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/browser";
import { type NextServer, startNextServer } from "../helpers/next-server";
import { waitUntil } from "../helpers/wait";

/*
 * A newcomer's first hour, in real Chromium against `next start` of the
 * build, on a fresh embedded database in local mode with no extra
 * environment at all: no webhook or link settings. The tests run in order,
 * as one person's session.
 */

const EMAIL = "grace@example.com";

let server: NextServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  [server, browser] = await Promise.all([startNextServer({}, { bare: true }), launchChromium()]);
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-GB" });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const go = (path: string) => page.goto(`${server.url}${path}`);

/** The receiver page's list, re-read until `predicate` holds. */
async function receivedRequests(predicate: (count: number) => boolean, what: string) {
  const list = page.locator(".received-request");
  await waitUntil(what, async () => {
    await go("/dev/receiver");
    return predicate(await list.count());
  });
  return list;
}

describe("the first hour, with no configuration", () => {
  it("signs in and shows the user id to copy", async () => {
    await go("/signin");
    await page.getByLabel("Email address").fill(EMAIL);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname !== "/signin");
    await go("/");
    const id = await page.getByLabel("Your user id", { exact: true }).inputValue();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.getByLabel("Service key (local mode)", { exact: true }).inputValue()).toBe(
      server.serviceKey,
    );
  });

  it("adds a webhook pointing at /dev/receiver, presses Send test, and sees the request arrive with a verified signature", async () => {
    await go("/dev/receiver");
    const receiverUrl = await page.getByLabel("Receiver URL", { exact: true }).inputValue();
    expect(receiverUrl).toMatch(new RegExp(`^${server.url}/dev/receiver/[0-9a-f-]{36}$`));

    await go("/settings/alerts/webhooks");
    await page.getByRole("button", { name: "Add webhook" }).click();
    await page.getByLabel("Name").fill("Test receiver");
    await page.getByLabel("URL", { exact: true }).fill(receiverUrl);
    expect(await page.getByLabel("Generate a secret").isChecked()).toBe(true);
    await page.getByRole("button", { name: "Add webhook" }).last().click();
    await page.getByRole("textbox", { name: "Signing secret" }).waitFor();
    await page.getByRole("button", { name: /Done, I have copied it/ }).click();

    const row = page.getByRole("listitem").filter({ hasText: "Test receiver" });
    await row.getByRole("button", { name: "Send test" }).click();
    await expect
      .poll(() => row.locator(".test-result").textContent(), { timeout: 15_000 })
      .toMatch(/^✓ Test delivered: HTTP 200/);

    const list = await receivedRequests((n) => n >= 1, "the test request on /dev/receiver");
    const first = list.first();
    expect(await first.textContent()).toContain("signature verified");
    expect(await first.locator(".signature-check").textContent()).toContain(
      "Signature verified with the secret of “Test receiver”",
    );
    expect(await first.locator(".received-headers").textContent()).toMatch(/webhook-id: msg_/);
    expect(JSON.parse((await first.locator(".received-body").textContent()) ?? "")).toMatchObject({
      type: "test",
    });
  });

  it("opens the outbox email's View details and settings links in the same session, not the sign-in page", async () => {
    await go("/alerts/history");
    await page.getByLabel("Event type").selectOption("job_failed");
    await page.getByRole("button", { name: "Send a sample event" }).click();
    await expect
      .poll(() => page.locator(".sample-event [role=status]").textContent(), { timeout: 15_000 })
      .toMatch(/^Sent a sample job_failed event\. It became an alert/);
    // The menu keeps its choice for the next press.
    expect(await page.getByLabel("Event type").inputValue()).toBe("job_failed");

    let mailHref = "";
    await waitUntil("the sample's email in the outbox", async () => {
      await go("/dev/outbox");
      const link = page.getByRole("link", { name: /failed/i }).first();
      if ((await link.count()) === 0) return false;
      mailHref = (await link.getAttribute("href")) ?? "";
      return mailHref !== "";
    });
    await go(mailHref);
    const frameElement = page.locator("iframe.mail-frame");
    expect(await frameElement.getAttribute("sandbox")).toBe(
      "allow-popups allow-popups-to-escape-sandbox",
    );
    const frame = page.frameLocator("iframe.mail-frame");
    const details = frame.getByRole("link", { name: /View details/i });
    await details.waitFor();
    // The frame is as tall as the email: its last link is inside the visible frame.
    const box = await frameElement.boundingBox();
    const settingsLink = frame.getByRole("link", { name: "Change which alerts you get" });
    const inner = await settingsLink.boundingBox();
    expect(box && inner && inner.y + inner.height <= box.y + box.height).toBe(true);

    for (const [link, path] of [
      [details, "/training/monitor"],
      [settingsLink, "/settings/alerts"],
    ] as const) {
      const [popup] = await Promise.all([context.waitForEvent("page"), link.click()]);
      await popup.waitForLoadState();
      const url = new URL(popup.url());
      expect(url.origin).toBe(server.url);
      expect(url.pathname).toBe(path);
      // Signed in: the header shows the account, and there is no sign-in form.
      await expect.poll(() => popup.locator(".account-email").textContent()).toBe(EMAIL);
      await popup.close();
    }
  });
});
