import { randomUUID } from "node:crypto";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userIdForEmail } from "@/lib/http/tokens";
import { describeViolations, seriousViolations } from "../helpers/browser";
import type { NextServer } from "../helpers/next-server";
import { startUiSession, type UiSession } from "../helpers/ui-session";
import { waitOn, waitUntil } from "../helpers/wait";

/*
 * Grouping in real Chromium against `next start` of the production build, on
 * a fresh embedded database: the window set on the settings page, a burst of
 * failures posted through the producer API to a local generic-webhook
 * receiver, and the history showing each member linked to its group message.
 * The server runs on the real clock, so the window is a few seconds: the
 * test waits on the receiver getting the group message, never on time.
 */

const EMAIL = "hedy@example.com";
const GROUP = "lr-search";
const WINDOW = 3;
const BURST = 5;

let session: UiSession;
let server: NextServer;
let page: Page;
let receiver: UiSession["receiver"];

beforeAll(async () => {
  session = await startUiSession();
  ({ server, page, receiver } = session);
});

afterAll(async () => {
  await session?.close();
});

const go = (path: string) => page.goto(`${server.url}${path}`);
const windowField = () => page.getByLabel("Group bursts of alerts over (seconds)");

const userToken = () => session.userToken();

/** A job_failed event as a training server reports it. */
async function jobFailed(model: string, group: string): Promise<void> {
  const res = await fetch(`${server.url}/api/alerts/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.serviceKey}`, "content-type": "application/json" },
    body: JSON.stringify({
      type: "job_failed",
      user_id: userIdForEmail(EMAIL),
      job_id: randomUUID(),
      data: { model_name: model, group, error: `RuntimeError: NCCL timeout on ${model}` },
    }),
  });
  expect(res.status, await res.text()).toBe(202);
}

/** Waits until no alert of the user is pending and no delivery is in flight (the page stops re-reading itself). */
async function settled(): Promise<void> {
  const token = await userToken();
  await waitUntil("every alert and delivery to settle", async () => {
    const res = await fetch(`${server.url}/api/alerts/history?limit=100`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const { items } = (await res.json()) as {
      items: { status: string; deliveries: { status: string }[] }[];
    };
    return items.every(
      (i) =>
        i.status !== "pending" &&
        i.deliveries.every((d) => !["pending", "sending", "grouped"].includes(d.status)),
    );
  });
}

const received = (type: string) =>
  receiver.requests.filter((r) => (JSON.parse(r.body) as { type: string }).type === type);

describe("grouping in the web UI", () => {
  it("validates the grouping window, explains 0 = off, and keeps the value saved", async () => {
    await session.signIn(EMAIL, "/settings/alerts");
    expect(await windowField().inputValue()).toBe("60");

    await windowField().fill("0");
    expect(await page.getByTestId("grouping-preview").textContent()).toMatch(/^Off: every alert/);

    await windowField().fill("5000");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => windowField().getAttribute("aria-invalid")).toBe("true");
    const errorId = ((await windowField().getAttribute("aria-describedby")) ?? "")
      .split(/\s+/)
      .find((id) => id.endsWith("-error"));
    expect(await page.locator(`[id="${errorId}"]`).textContent()).toMatch(/3600/);

    // Email off: the burst below goes to the webhook only, one destination to read.
    await page.getByLabel("Send alerts by email").uncheck();
    await windowField().fill(String(WINDOW));
    expect(await page.getByTestId("grouping-preview").textContent()).toContain(
      `within ${WINDOW} s`,
    );
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect
      .poll(() => page.locator(".sticky-actions [role=status]").textContent())
      .toBe("Saved.");
    await page.reload();
    expect(await windowField().inputValue()).toBe(String(WINDOW));
    expect(await windowField().getAttribute("aria-invalid")).toBeNull();
    const prefs = await fetch(`${server.url}/api/alerts/preferences`, {
      headers: { authorization: `Bearer ${await userToken()}` },
    });
    expect(((await prefs.json()) as { group_window_seconds: number }).group_window_seconds).toBe(
      WINDOW,
    );
  });

  it("shows a burst's members in history, each linked to its group message and its status", async () => {
    const hook = await fetch(`${server.url}/api/alerts/webhooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${await userToken()}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "Sweep dashboard",
        url: `${receiver.url}/hook`,
        webhook_type: "generic",
      }),
    });
    expect(hook.status).toBe(201);

    for (let i = 1; i <= BURST; i++) await jobFailed(`sweep-model-${i}`, GROUP);
    // The first went out at once; the rest wait for the window's end, then go as one.
    const group = await waitOn(
      "the group message at the receiver",
      [[receiver.events, "request"]],
      () => received("alert.group")[0],
    );
    const body = JSON.parse(group.body) as {
      data: { count: number; group: string; alerts: { title: string }[] };
    };
    expect(received("job_failed")).toHaveLength(1);
    expect(body.data.count).toBe(BURST - 1);
    expect(body.data.group).toBe(GROUP);

    await settled();
    await go("/alerts/history");
    const message = page
      .locator(".history-item")
      .filter({ has: page.locator(".badge-type", { hasText: /^Group message$/ }) });
    expect(await message.locator(".history-meta .badge").first().textContent()).toBe("Sent");
    expect(await message.count()).toBe(1);
    expect(await message.locator(".history-title").textContent()).toBe(
      `❌ ${BURST - 1} training jobs failed — sweep ${GROUP}`,
    );
    const messageId = ((await message.getAttribute("id")) ?? "").replace(/^alert-/, "");

    // Every member but the first names the group message, its size and its delivery status.
    const members = page.locator(".history-item").filter({ hasText: /sweep-model-\d/ });
    expect(await members.count()).toBe(BURST);
    let linked = 0;
    for (let i = 0; i < BURST; i++) {
      const member = members.nth(i);
      await member.locator("summary").first().click();
      const line = member.getByTestId("group-message");
      if ((await line.count()) === 0) continue;
      linked++;
      expect(await line.textContent()).toBe(
        `GroupedWent out in group message ${messageId.slice(0, 8)} with ${BURST - 2} others · Delivered`,
      );
      const href = (await line.getByRole("link").getAttribute("href")) ?? "";
      expect(href).toBe(`/alerts/history?group=${GROUP}#alert-${messageId}`);
    }
    expect(linked).toBe(BURST - 1);

    // The link opens the group's history at the message.
    await members.getByTestId("group-message").first().getByRole("link").click();
    await page.waitForURL((url) => url.hash === `#alert-${messageId}`);
    expect(await page.locator(`[id="alert-${messageId}"] .history-title`).textContent()).toBe(
      `❌ ${BURST - 1} training jobs failed — sweep ${GROUP}`,
    );

    // The group message links to its alerts: the group's failures.
    const anchored = page.locator(`[id="alert-${messageId}"]`);
    await anchored.locator("summary").first().click();
    const toMembers = anchored.getByTestId("group-members").getByRole("link");
    expect(await toMembers.getAttribute("href")).toBe(
      `/alerts/history?group=${GROUP}&alert_type=job_failed`,
    );
    await toMembers.click();
    await page.waitForURL((url) => url.searchParams.get("alert_type") === "job_failed");
    expect(await page.locator(".history-item").count()).toBe(BURST);
    expect(
      await page
        .locator(".history-item")
        .filter({ hasText: /sweep-model-\d/ })
        .count(),
    ).toBe(BURST);

    await go("/alerts/history");
    const violations = await seriousViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
  });

  it("filters history by group label, from the filter form and from a group's link", async () => {
    await jobFailed("other-model", "other-sweep");
    await waitOn("the other sweep's alert at the receiver", [[receiver.events, "request"]], () =>
      receiver.requests.find((r) => r.body.includes("other-model")),
    );
    await settled();

    await go("/alerts/history");
    expect(await page.locator(".history-item").filter({ hasText: "other-model" }).count()).toBe(1);
    await page.getByLabel("Group", { exact: true }).fill(GROUP);
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL((url) => url.searchParams.get("group") === GROUP);
    const items = page.locator(".history-item");
    // The burst's members and its group message: nothing of the other sweep.
    expect(await items.count()).toBe(BURST + 1);
    expect(await items.filter({ hasText: "other-model" }).count()).toBe(0);
    expect(await page.getByLabel("Group", { exact: true }).inputValue()).toBe(GROUP);

    const api = await fetch(
      `${server.url}/api/alerts/history?group=${encodeURIComponent("other-sweep")}`,
      { headers: { authorization: `Bearer ${await userToken()}` } },
    );
    const page2 = (await api.json()) as { items: { title: string; group_label: string }[] };
    expect(page2.items.map((i) => i.group_label)).toEqual(["other-sweep"]);

    // An alert's Group fact links to the same filter.
    await go("/alerts/history");
    const other = page.locator(".history-item").filter({ hasText: "other-model" });
    await other.locator("summary").first().click();
    await other.getByRole("link", { name: "other-sweep" }).click();
    await page.waitForURL((url) => url.searchParams.get("group") === "other-sweep");
    expect(await page.locator(".history-item").count()).toBe(1);
  });

  it("shows the sweep summary in the message previews and the outbox (local mode's sample)", async () => {
    await go("/settings/alerts");
    await page.getByLabel("Send alerts by email").check();
    expect(await page.getByLabel("Sweep finished", { exact: true }).isChecked()).toBe(true);
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect
      .poll(() => page.locator(".sticky-actions [role=status]").textContent())
      .toBe("Saved.");

    await go("/alerts/history");
    await page.getByLabel("Event type").selectOption({ label: "Sweep finished" });
    await page.getByRole("button", { name: "Send a sample event" }).click();
    await expect
      .poll(() => page.locator(".sample-event [role=status]").textContent(), { timeout: 20_000 })
      .toMatch(/^Sent a sample group_completed event\. It became an alert/);
    await settled();
    await go("/alerts/history");
    const summary = page
      .locator(".history-item")
      .filter({ hasText: "Sweep finished: sample-sweep" });
    expect(await summary.count()).toBe(1);
    await summary.locator("summary").first().click();
    const email = summary.locator(".preview-block").filter({ hasText: "Email" });
    await email.locator("summary").click();
    const text = (await email.locator("pre").textContent()) ?? "";
    expect(text).toContain("Sweep sample-sweep finished: 15 completed, 5 failed, 0 cancelled.");
    expect(text).toMatch(/Best Final Loss\W+0\.287 \(sample-llama-7b-lr3e-4\)/);
    expect(text).toMatch(/GPU-Hours\W+312\.5/);
    const generic = summary.locator(".preview-block").filter({ hasText: "Generic (signed JSON)" });
    await generic.locator("summary").click();
    expect(await generic.locator("pre").textContent()).toContain('"type": "group_completed"');

    await go("/dev/outbox");
    const mail = page.getByRole("link", { name: /Sweep finished: sample-sweep/ });
    expect(await mail.count()).toBe(1);
    await mail.click();
    await page.waitForURL(/\/dev\/outbox\/.+\.eml$/);
    expect(await page.locator("main").textContent()).toContain("sample-sweep");
  });
});
