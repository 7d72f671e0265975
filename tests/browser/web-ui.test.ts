import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zonedParts } from "@/lib/alerts/quiet-hours";
import { userIdForEmail } from "@/lib/http/tokens";
import { describeViolations, launchChromium, seriousViolations } from "../helpers/browser";
import { type NextServer, startNextServer } from "../helpers/next-server";
import { startReceiver } from "../helpers/receiver";
import { waitOn, waitUntil } from "../helpers/wait";

/*
 * The web UI in real Chromium against `next start` of the production build,
 * in local mode on a fresh embedded database. The tests run in order, as one
 * person's first session: sign in, set preferences, add a webhook, see alerts.
 */

const EMAIL = "ada@example.com";
const ZONE = "Europe/Berlin";

let server: NextServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let secret = "";

beforeAll(async () => {
  [server, browser, receiver] = await Promise.all([
    startNextServer(),
    launchChromium(),
    startReceiver(),
  ]);
  context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    timezoneId: ZONE,
    locale: "en-GB",
  });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await server?.stop();
});

const go = (path: string) => page.goto(`${server.url}${path}`);

/** The signed-in user's token, read from the httpOnly cookie (the test may; page scripts may not). */
async function userToken(): Promise<string> {
  const cookie = (await context.cookies(server.url)).find((c) => c.name === "ta_token");
  if (!cookie) throw new Error("not signed in: no ta_token cookie");
  return cookie.value;
}

/** The text of the error placed beside a field (its `aria-describedby` error element). */
async function errorBeside(fieldLabel: string | RegExp): Promise<string> {
  const field = page.getByLabel(fieldLabel, { exact: typeof fieldLabel === "string" });
  await expect.poll(() => field.getAttribute("aria-invalid")).toBe("true");
  const ids = ((await field.getAttribute("aria-describedby")) ?? "").split(/\s+/);
  const errorId = ids.find((id) => id.endsWith("-error"));
  if (!errorId) throw new Error(`no error is linked to ${fieldLabel}`);
  return (await page.locator(`[id="${errorId}"]`).textContent()) ?? "";
}

describe("the production build's API", () => {
  // Route handlers and the shared context are bundled separately by Next, so
  // errors thrown by the context must still become their problem answers.
  it("answers bad credentials with 401 and 403 problems, not 500", async () => {
    const none = await fetch(`${server.url}/api/alerts/preferences`);
    expect(none.status).toBe(401);
    expect(none.headers.get("content-type")).toBe("application/problem+json");
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    const bad = await fetch(`${server.url}/api/alerts/events`, {
      method: "POST",
      headers: { authorization: "Bearer not-a-token", "content-type": "application/json" },
      body: "{}",
    });
    expect(bad.status).toBe(401);
    const wrongKind = await fetch(`${server.url}/api/alerts/preferences`, {
      headers: { authorization: `Bearer ${server.serviceKey}` },
    });
    expect(wrongKind.status).toBe(403);
    const invalid = await fetch(`${server.url}/api/alerts/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.serviceKey}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "nope" }),
    });
    expect(invalid.status).toBe(422);
  });
});

describe("the web UI, in local mode", () => {
  it("sends a visitor to the dev sign-in and back to the page they asked for", async () => {
    await go("/settings/alerts");
    expect(new URL(page.url()).pathname).toBe("/signin");
    expect(new URL(page.url()).searchParams.get("next")).toBe("/settings/alerts");

    await page.getByLabel("Email address").fill("not an email");
    await page.getByRole("button", { name: "Sign in" }).click();
    expect(await errorBeside("Email address")).toMatch(/email address/);

    await page.getByLabel("Email address").fill(EMAIL);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/settings/alerts`);
    await expect.poll(() => page.locator(".account-email").textContent()).toBe(EMAIL);

    const cookie = (await context.cookies(server.url)).find((c) => c.name === "ta_token");
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe("Lax");
    expect(await page.evaluate(() => document.cookie)).not.toContain("ta_token");
  });

  it("saves preferences that are still there after a reload", async () => {
    await go("/settings/alerts");
    // A user who never saved gets the browser's time zone suggested.
    await expect.poll(() => page.getByLabel("Time zone").inputValue()).toBe(ZONE);

    // A quiet window that is not now, so the alerts below go out at once.
    const hour = zonedParts(new Date(), ZONE).hour;
    const start = `${String((hour + 3) % 24).padStart(2, "0")}:00`;
    const end = `${String((hour + 5) % 24).padStart(2, "0")}:30`;

    await page.getByLabel("Job completed", { exact: true }).uncheck();
    await page.getByLabel("Job started", { exact: true }).check();
    await page.getByLabel(/Hold alerts during quiet hours/).check();
    await page.getByLabel("From").fill(start);
    await page.getByLabel("Until").fill(end);
    await expect
      .poll(() => page.getByTestId("quiet-preview").textContent())
      .toMatch(new RegExp(`^${start}–${end} ${ZONE}, now \\d\\d:\\d\\d — alerts are on$`));
    await page.getByLabel("Daily summary").check();
    await page.getByLabel("Send at").fill("08:30");
    await page.getByLabel("Send on").selectOption({ label: "Friday" });
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect
      .poll(() => page.locator(".sticky-actions [role=status]").textContent())
      .toBe("Saved.");

    await page.reload();
    expect(await page.getByLabel("Job completed", { exact: true }).isChecked()).toBe(false);
    expect(await page.getByLabel("Job started", { exact: true }).isChecked()).toBe(true);
    expect(await page.getByLabel(/Hold alerts during quiet hours/).isChecked()).toBe(true);
    expect(await page.getByLabel("From").inputValue()).toBe(start);
    expect(await page.getByLabel("Until").inputValue()).toBe(end);
    expect(await page.getByLabel("Time zone").inputValue()).toBe(ZONE);
    expect(await page.getByLabel("Daily summary").isChecked()).toBe(true);
    expect(await page.getByLabel("Send at").inputValue()).toBe("08:30");
    expect(await page.getByLabel("Send on").inputValue()).toBe("5");
  });

  it("shows the API's error beside the preference field it names, and saves nothing", async () => {
    await go("/settings/alerts");
    await page.getByLabel("Send to").fill("not-an-address");
    await page.getByLabel("Time zone").fill("Mars/Olympus_Mons");
    await page.getByRole("button", { name: "Save settings" }).click();
    expect(await errorBeside("Send to")).toBe("must be an email address such as you@example.com");
    expect(await errorBeside("Time zone")).toMatch(/IANA time zone/);
    await page.reload();
    expect(await page.getByLabel("Send to").inputValue()).toBe("");
    expect(await page.getByLabel("Time zone").inputValue()).toBe(ZONE);
  });

  it("adds a webhook for a local receiver, showing the API's error for a bad URL first", async () => {
    await go("/settings/alerts/webhooks");
    await expect.poll(() => page.getByText("No webhooks yet.").count()).toBe(1);
    await page.getByRole("button", { name: "Add webhook" }).click();
    await page.getByLabel("Name").fill("Local receiver");
    await page.getByLabel("URL", { exact: true }).fill("ftp://example.com/hook");
    await page.getByRole("button", { name: "Add webhook" }).last().click();

    // The message beside the field is the API's own answer for this URL.
    const api = await fetch(`${server.url}/api/alerts/webhooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${await userToken()}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "x", url: "ftp://example.com/hook" }),
    });
    expect(api.status).toBe(422);
    const problem = (await api.json()) as { errors: { path: string; message: string }[] };
    expect(problem.errors[0]?.path).toBe("url");
    expect(await errorBeside("URL")).toBe(problem.errors[0]?.message);

    await page.getByLabel("URL", { exact: true }).fill(`${receiver.url}/hook`);
    expect(await page.getByLabel("Generate a secret").isChecked()).toBe(true);
    await page.getByRole("button", { name: "Add webhook" }).last().click();

    const revealed = page.getByRole("textbox", { name: "Signing secret" });
    await revealed.waitFor();
    secret = await revealed.inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    await page.getByRole("button", { name: "Copy" }).click();
    await expect
      .poll(() => page.locator(".secret-reveal [role=status]").textContent())
      .toMatch(/Copied|Selected/);
    await page.getByRole("button", { name: /Done, I have copied it/ }).click();
    expect(await revealed.count()).toBe(0);

    const row = page.getByRole("listitem").filter({ hasText: "Local receiver" });
    expect(await row.getByText("Healthy").count()).toBe(1);
    expect(await row.locator("code").textContent()).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    expect(await row.textContent()).toContain("signed");
  });

  it("sends a test to the webhook and shows the result inline; the receiver got it, signed", async () => {
    await go("/settings/alerts/webhooks");
    const row = page.getByRole("listitem").filter({ hasText: "Local receiver" });
    await row.getByRole("button", { name: "Send test" }).click();
    await expect
      .poll(() => row.locator(".test-result").textContent())
      .toMatch(/^✓ Test delivered: HTTP 200 in \d+ ms\.$/);
    await receiver.waitFor(1);
    const request = receiver.requests[0];
    expect(request?.url).toBe("/hook");
    const verified = new Webhook(secret).verify(
      request?.body ?? "",
      request?.headers as Record<string, string>,
    ) as { type: string };
    expect(verified.type).toBe("test");
  });

  it("disables and enables a webhook, and deletes one only after confirmation", async () => {
    await go("/settings/alerts/webhooks");
    await page.getByRole("button", { name: "Add webhook" }).click();
    await page.getByLabel("Name").fill("Spare");
    await page.getByLabel("URL", { exact: true }).fill(`${receiver.url}/spare`);
    await page.getByLabel("Unsigned").check();
    await page.getByRole("button", { name: "Add webhook" }).last().click();
    const row = page.getByRole("listitem").filter({ hasText: "Spare" });
    await row.waitFor();
    expect(await row.textContent()).toContain("unsigned");

    await row.getByRole("button", { name: "Disable" }).click();
    await expect.poll(() => row.locator(".badge").textContent()).toBe("Disabled by you");
    await row.getByRole("button", { name: "Enable" }).click();
    await expect.poll(() => row.locator(".badge").textContent()).toMatch(/^Healthy/);

    await row.getByRole("button", { name: "Delete" }).click();
    await row.getByRole("button", { name: "Keep it" }).click();
    expect(await row.count()).toBe(1);
    await row.getByRole("button", { name: "Delete" }).click();
    // The confirmation takes the focus, so Enter confirms from the keyboard.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent))
      .toBe("Yes, delete");
    await page.keyboard.press("Enter");
    await expect.poll(() => row.count()).toBe(0);
    expect(await page.getByRole("listitem").filter({ hasText: "Local receiver" }).count()).toBe(1);
  });

  it("edits a webhook, keeping its URL and secret when those fields are left empty", async () => {
    await go("/settings/alerts/webhooks");
    const row = page.getByRole("listitem").filter({ hasText: "Local receiver" });
    await row.getByRole("button", { name: "Edit" }).click();
    const form = page.getByRole("form", { name: "Edit “Local receiver”" });
    expect(await form.getByLabel("New URL").inputValue()).toBe("");
    expect(await form.getByLabel("Keep the current secret").isChecked()).toBe(true);
    await form.getByLabel("Job cancelled").check();
    await form.getByRole("button", { name: "Save changes" }).click();
    await expect.poll(() => row.locator(".facts").textContent()).toContain("Job cancelled");
    expect(await row.textContent()).toContain("signed");

    const before = receiver.requests.length;
    await row.getByRole("button", { name: "Send test" }).click();
    await receiver.waitFor(before + 1);
    const request = receiver.requests[before];
    expect(request?.url).toBe("/hook");
    new Webhook(secret).verify(request?.body ?? "", request?.headers as Record<string, string>);
  });

  it("shows an alert a producer posted, with its deliveries and a preview of the message", async () => {
    const jobId = randomUUID();
    const res = await fetch(`${server.url}/api/alerts/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.serviceKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        type: "job_failed",
        user_id: userIdForEmail(EMAIL),
        job_id: jobId,
        data: {
          model_name: "browser-test-model",
          duration_seconds: 1200,
          error: "RuntimeError: loss is NaN",
        },
      }),
    });
    expect(res.status).toBe(202);

    // Deliveries finish in the background; the page is re-read until both are done.
    const item = page.locator(".history-item").filter({ hasText: "browser-test-model" });
    await waitUntil("the alert to be delivered on both channels", async () => {
      await go("/alerts/history");
      const badges = await item.locator(".delivery .badge").allTextContents();
      return badges.length === 2 && badges.every((b) => b === "Delivered");
    });
    await item.locator("summary").first().click();
    const deliveries = item.locator(".delivery");
    expect(await deliveries.count()).toBe(2);
    expect(await deliveries.filter({ hasText: "Email" }).textContent()).toContain("Delivered");
    expect(
      await deliveries.filter({ hasText: "Local receiver (Generic (signed JSON))" }).textContent(),
    ).toMatch(/Delivered\s*Attempts1\s*Last HTTP status200/);
    await waitOn("the alert at the receiver", [[receiver.events, "request"]], () =>
      receiver.requests.some((r) => r.body.includes(jobId)),
    );

    await item.getByText("Email", { exact: true }).last().click();
    expect(await item.locator(".preview-block pre").first().textContent()).toMatch(
      /^Subject: .*browser-test-model/,
    );
    await item.getByText("Generic (signed JSON)", { exact: true }).click();
    expect(await item.locator(".preview-block pre").last().textContent()).toContain(
      `"job_id": "${jobId}"`,
    );

    // Filters: this job only; a malformed job id gets the API's message beside the field.
    await page.getByLabel("Job id").fill(jobId);
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/job_id=/);
    expect(await page.locator(".history-item").count()).toBe(1);
    await page.getByLabel("Job id").fill("job-42");
    await page.getByRole("button", { name: "Filter" }).click();
    expect(await errorBeside("Job id")).toMatch(/must be a UUID/);
  });

  it("sends a sample event from the page, and its email shows in the outbox", async () => {
    await go("/alerts/history");
    await page.getByLabel("Event type").selectOption("gpu_oom");
    await page.getByRole("button", { name: "Send a sample event" }).click();
    await expect
      .poll(() => page.locator(".sample-event [role=status]").textContent(), { timeout: 15_000 })
      .toMatch(/^Sent a sample gpu_oom event\. It became an alert/);

    let rows = 0;
    await waitUntil("the sample's email in the outbox", async () => {
      await go("/dev/outbox");
      rows = await page.locator("tbody tr").count();
      return rows >= 2;
    });
    const link = page.locator("tbody tr a").first();
    const subject = (await link.textContent()) ?? "";
    await link.click();
    await page.waitForURL(/\/dev\/outbox\/.+\.eml$/);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(subject);
    expect(await page.locator(".mail-text").textContent()).toMatch(/\S/);
    expect(await page.getByText(EMAIL).count()).toBeGreaterThan(0);
  });

  it("pages through older alerts with next_cursor", async () => {
    const post = (i: number) =>
      fetch(`${server.url}/api/alerts/events`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${server.serviceKey}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({
          type: "job_started",
          user_id: userIdForEmail(EMAIL),
          job_id: randomUUID(),
          data: { model_name: `paging-model-${i}` },
        }),
      });
    const token = await userToken();
    // Grouping off: 21 starts in a row would also add a group message to the list
    // (tests/browser/grouping.test.ts covers that); this test is about paging.
    const prefs = await fetch(`${server.url}/api/alerts/preferences`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ group_window_seconds: 0 }),
    });
    expect(prefs.status).toBe(200);
    for (let i = 0; i < 21; i++) expect((await post(i)).status).toBe(202);
    await waitUntil("all 23 alerts in history", async () => {
      const res = await fetch(`${server.url}/api/alerts/history?limit=100`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return ((await res.json()) as { items: unknown[] }).items.length >= 23;
    });

    await go("/alerts/history");
    expect(await page.locator(".history-item").count()).toBe(20);
    expect(await page.locator(".history-item").first().textContent()).toContain("paging-model-20");
    await page.getByRole("link", { name: "Older alerts →" }).click();
    await page.waitForURL(/cursor=/);
    expect(await page.locator(".history-item").count()).toBe(3);
    expect(await page.getByRole("link", { name: "Older alerts →" }).count()).toBe(0);
    await page.getByRole("link", { name: "← Newest" }).click();
    await page.waitForURL(`${server.url}/alerts/history`);
    expect(await page.locator(".history-item").count()).toBe(20);
  });

  it("creates an API key shown once, which reports jobs as the user until it is revoked", async () => {
    await go("/settings/api-keys");
    await page.getByLabel("New key's name").fill("gpu-box-1");
    await page.getByRole("button", { name: "Create key" }).click();
    const revealed = page.locator("#revealed-key");
    await expect.poll(() => revealed.inputValue()).toMatch(/^tak_[A-Za-z0-9_-]{43}$/);
    const key = await revealed.inputValue();
    const jobId = randomUUID();
    const report = (token: string) =>
      fetch(`${server.url}/api/training/jobs/${jobId}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ status: "running", model_name: "from-a-key" }),
      });
    const created = await report(key);
    expect(created.status).toBe(201);
    expect((await created.json()).user_id).toBe(userIdForEmail(EMAIL));

    await page.getByRole("button", { name: "Done" }).click();
    await page.reload();
    const row = page.getByRole("row", { name: /gpu-box-1/ });
    await expect.poll(() => row.textContent()).toContain(key.slice(0, 12));
    expect(await page.content()).not.toContain(key);
    page.once("dialog", (dialog) => void dialog.accept());
    await row.getByRole("button", { name: /Revoke/ }).click();
    await page.getByText("Revoked “gpu-box-1”.").waitFor();
    expect((await report(key)).status).toBe(401);
  });

  it("has no serious or critical accessibility violations on any page", async () => {
    const paths = [
      "/",
      "/settings/alerts",
      "/settings/alerts/webhooks",
      "/settings/api-keys",
      "/alerts/history",
      "/dev/outbox",
    ];
    for (const path of paths) {
      await go(path);
      const violations = await seriousViolations(page);
      expect(violations, `${path}:\n${describeViolations(violations)}`).toEqual([]);
    }
    // With the interactive parts open: the webhook form, an alert's details, an email.
    await go("/settings/alerts/webhooks");
    await page.getByRole("button", { name: "Add webhook" }).click();
    await page.getByRole("button", { name: "Add webhook" }).last().click();
    await page.locator(".field-error").first().waitFor();
    let violations = await seriousViolations(page);
    expect(violations, `webhook form:\n${describeViolations(violations)}`).toEqual([]);

    await go("/alerts/history");
    await page.locator(".history-item summary").first().click();
    violations = await seriousViolations(page);
    expect(violations, `history details:\n${describeViolations(violations)}`).toEqual([]);

    await go("/dev/outbox");
    await page.locator("tbody tr a").first().click();
    await page.waitForURL(/\.eml$/);
    violations = await seriousViolations(page);
    expect(violations, `outbox email:\n${describeViolations(violations)}`).toEqual([]);

    const signedOut = await browser.newPage();
    await signedOut.goto(`${server.url}/signin`);
    violations = await seriousViolations(signedOut);
    await signedOut.close();
    expect(violations, `/signin:\n${describeViolations(violations)}`).toEqual([]);
  });

  it("fits a 375 px wide screen without sideways scrolling", async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    try {
      for (const path of [
        "/",
        "/settings/alerts",
        "/settings/alerts/webhooks",
        "/settings/api-keys",
        "/alerts/history",
        "/dev/outbox",
      ]) {
        await go(path);
        if (path === "/alerts/history") await page.locator(".history-item summary").first().click();
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(width, path).toBeLessThanOrEqual(375);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it("can be used from the keyboard: the skip link leads into the page", async () => {
    await go("/settings/alerts");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.closest("main")?.id)).toBe("main");
  });

  it("signs out, after which the pages ask for sign-in again", async () => {
    await go("/settings/alerts");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/signin$/);
    expect((await context.cookies(server.url)).some((c) => c.name === "ta_token")).toBe(false);
    await go("/alerts/history");
    expect(new URL(page.url()).pathname).toBe("/signin");
  });
});
