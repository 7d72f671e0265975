import { randomUUID } from "node:crypto";
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

  it("mutes a job from the alert email's link (no sign-in), and its next failure is muted in history and absent from the receiver", async () => {
    // Grouping off from here on: this failure and the next test's follow the sample
    // failure within a minute, and would wait a window as members of its group
    // (tests/browser/grouping.test.ts covers that); these tests are about one alert each.
    const prefs = await fetch(`${server.url}/api/alerts/preferences`, {
      method: "PUT",
      headers: { authorization: `Bearer ${await userToken()}`, "content-type": "application/json" },
      body: JSON.stringify({ group_window_seconds: 0 }),
    });
    expect(prefs.status).toBe(200);
    const job = randomUUID();
    await postEvent({
      type: "job_failed",
      job_id: job,
      data: { model_name: "mute-me", error: "x" },
    });

    let mailHref = "";
    await waitUntil("the job's failure email in the outbox", async () => {
      await go("/dev/outbox");
      const link = page.getByRole("link", { name: /mute-me/ }).first();
      if ((await link.count()) === 0) return false;
      mailHref = (await link.getAttribute("href")) ?? "";
      return mailHref !== "";
    });
    await go(mailHref);
    const muteLink = page
      .frameLocator("iframe.mail-frame")
      .getByRole("link", { name: "Mute this job for 8 h" });
    const href = (await muteLink.getAttribute("href")) ?? "";
    expect(new URL(href).pathname).toBe("/mute");

    // Opened where nobody is signed in: the signed link is the credential.
    const stranger = await browser.newContext();
    const other = await stranger.newPage();
    await other.goto(href);
    expect(await other.locator(".account-email").count()).toBe(0);
    await other.getByRole("button", { name: "Mute for 8 hours" }).click();
    await expect
      .poll(() => other.getByTestId("muted").textContent())
      .toMatch(new RegExp(`^Muted the job “mute-me” \\(${job}\\) until`));
    // A changed link is refused.
    await other.goto(href.replace(/.$/, (c) => (c === "A" ? "B" : "A")));
    expect(await other.getByRole("heading", { level: 1 }).textContent()).toBe(
      "This mute link does not work",
    );
    await stranger.close();

    const before = await receiverTypes();
    const oom = await postEvent({
      type: "gpu_oom",
      job_id: job,
      data: { model_name: "mute-me", log_excerpt: "CUDA out of memory" },
    });
    await waitUntil("the muted event to be processed", async () => {
      const res = await fetch(`${server.url}/api/alerts/events`, {
        headers: { authorization: `Bearer ${await userToken()}` },
      });
      const { items } = (await res.json()) as { items: { event_id: string; outcome: string }[] };
      return items.find((i) => i.event_id === oom)?.outcome === "muted";
    });
    await go(`/alerts/history?job_id=${job}`);
    const item = page.locator(".history-item").filter({ hasText: "GPU out of memory" });
    expect(await item.locator(".badge").first().textContent()).toBe("Muted");
    // Unmute needs a sign-in: the signed-in history lists the mute with its button.
    expect(await page.locator(".mutes").textContent()).toContain(`Job ${job}`);
    expect(await receiverTypes()).toEqual(before);
    expect(before).not.toContain("gpu_oom");
  });

  it("retries a failed delivery from history after the receiver is fixed, with the same webhook-id", async () => {
    await go("/dev/receiver");
    await page.getByLabel("Answer requests with").selectOption("400");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByTestId("reply-status").textContent()).toBe("400");

    const job = randomUUID();
    await postEvent({
      type: "job_failed",
      job_id: job,
      data: { model_name: "retry-me", error: "x" },
    });
    const item = page.locator(".history-item").first();
    // Its email went to the outbox; the webhook's 400 is a failure: partly sent.
    await waitUntil("the alert's webhook delivery to fail", async () => {
      await go(`/alerts/history?job_id=${job}`);
      return (await item.locator(".badge").first().textContent()) === "Partly sent";
    });

    await go("/dev/receiver");
    await page.getByLabel("Answer requests with").selectOption("200");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByTestId("reply-status").textContent()).toBe("200");

    await go(`/alerts/history?job_id=${job}`);
    await item.locator("summary").first().click();
    await item.getByRole("button", { name: "Retry failed deliveries now" }).click();
    await waitUntil("the retried alert to be sent", async () => {
      await go(`/alerts/history?job_id=${job}`);
      return (await item.locator(".badge").first().textContent()) === "Sent";
    });

    // The receiver got the same message twice: first answered 400, then 200.
    await go("/dev/receiver");
    const tries = page.locator(".received-request").filter({ hasText: "job_failed" });
    const answered: string[] = [];
    const ids: string[] = [];
    for (const r of await tries.all()) {
      const body = JSON.parse((await r.locator(".received-body").textContent()) ?? "{}");
      if (body.data?.job_id !== job) continue;
      answered.push((await r.locator(".badge").first().textContent()) ?? "");
      ids.push(
        /webhook-id: (\S+)/.exec((await r.locator(".received-headers").textContent()) ?? "")?.[1] ??
          "",
      );
    }
    expect(answered).toEqual(["answered 200", "answered 400"]);
    expect(ids[0]).toBe(ids[1]);
  });
});

/** Posts an event for the signed-in user with the local service key, as a producer would. */
async function postEvent(event: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${server.url}/api/alerts/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.serviceKey}`, "content-type": "application/json" },
    body: JSON.stringify({ user_id: await signedInUserId(), ...event }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { event_id: string }).event_id;
}

async function signedInUserId(): Promise<string> {
  const token = await userToken();
  const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString());
  return payload.sub as string;
}

/** The signed-in user's token, read from the httpOnly cookie (the test may; page scripts may not). */
async function userToken(): Promise<string> {
  const cookie = (await context.cookies(server.url)).find((c) => c.name === "ta_token");
  if (!cookie) throw new Error("not signed in: no ta_token cookie");
  return cookie.value;
}

/** The alert types the test receiver got so far, newest first. */
async function receiverTypes(): Promise<string[]> {
  await go("/dev/receiver");
  const bodies = await page.locator(".received-body").allTextContents();
  return bodies.map((b) => {
    try {
      return String(JSON.parse(b).type);
    } catch {
      return "";
    }
  });
}
