import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHANNELS } from "@/lib/alerts/channels/index";
import type { AlertCard } from "@/lib/alerts/formatters/card";
import { TEMPLATE_TYPES } from "@/lib/alerts/templates/index";
import { SAMPLE_DATA, SAMPLE_OOM_LOG } from "@/lib/alerts/templates/samples";
import { userIdForEmail } from "@/lib/http/tokens";
import { describeViolations, launchChromium, seriousViolations } from "../helpers/browser";
import { type NextServer, startNextServer } from "../helpers/next-server";
import { startReceiver } from "../helpers/receiver";
import { waitOn, waitUntil } from "../helpers/wait";

/*
 * The jobs pages in real Chromium against `next start` of the production
 * build, on a fresh embedded database: a job reported through the producer
 * API, its alert delivered to a local "Slack" receiver, and the job page that
 * alert's View Details button opens.
 */

const EMAIL = "grace@example.com";
const OTHER = "mallory@example.com";
const MODEL = "browser-monitor-model";

let server: NextServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const jobId = randomUUID();
let detailsUrl = "";

beforeAll(async () => {
  [server, browser, receiver] = await Promise.all([
    startNextServer(),
    launchChromium(),
    startReceiver(),
  ]);
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-GB" });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await server?.stop();
});

async function signIn(p: Page, email: string, path = "/settings/alerts") {
  await p.goto(`${server.url}/signin?next=${encodeURIComponent(path)}`);
  await p.getByLabel("Email address").fill(email);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.waitForURL((url) => url.pathname !== "/signin");
}

async function tokenOf(c: BrowserContext): Promise<string> {
  const cookie = (await c.cookies(server.url)).find((k) => k.name === "ta_token");
  if (!cookie) throw new Error("not signed in: no ta_token cookie");
  return cookie.value;
}

/** A producer call with the service key. */
async function produce(method: string, path: string, body: unknown): Promise<Response> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${server.serviceKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return res;
}

/** Every absolute URL in a formatted message that points into the app. */
function appLinks(text: string): string[] {
  const found = text.match(/https?:\/\/[^\s"'<>)\]\\]+/g) ?? [];
  return found
    .map((u) => u.replace(/&amp;/g, "&").replace(/[.,;]+$/, ""))
    .filter((u) => u.startsWith(server.url));
}

/** The strings anywhere in a JSON value. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

const noHorizontalScroll = (p: Page) =>
  p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describe("the jobs pages", () => {
  it("lists a job reported through the API, with its progress", async () => {
    await signIn(page, EMAIL);
    const token = await tokenOf(context);
    const hook = await fetch(`${server.url}/api/alerts/webhooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "#ml-alerts",
        url: `${receiver.url}/slack/services/T0/B0/X`,
        webhook_type: "slack",
      }),
    });
    expect(hook.status).toBe(201);

    await produce("PUT", `/api/training/jobs/${jobId}`, {
      user_id: userIdForEmail(EMAIL),
      model_name: MODEL,
      status: "running",
      total_steps: 1000,
      gpu_count: 4,
      metadata: { group: "sweep-42", lr: 0.0003 },
    });
    for (let step = 0; step <= 250; step += 10) {
      await produce("POST", `/api/training/jobs/${jobId}/progress`, {
        current_step: step,
        loss: 3 / (1 + step / 50),
        metrics: { lr: 0.0003, tokens_per_s: 5100 },
      });
    }

    await page.goto(`${server.url}/training`);
    const row = page.getByRole("row").filter({ hasText: MODEL });
    expect(await row.count()).toBe(1);
    expect(await row.locator("td[data-label=Status]").textContent()).toBe("Running");
    expect(await row.locator("td[data-label=Progress]").textContent()).toContain(
      "250 / 1,000 (25%)",
    );
    expect(await row.locator("td[data-label=GPUs]").textContent()).toBe("4");
    expect(await row.locator("td[data-label=Group]").textContent()).toBe("sweep-42");
    expect(await page.getByRole("link", { name: "Jobs" }).getAttribute("aria-current")).toBe(
      "page",
    );
  });

  it("opens the job page from the View Details link of the Slack message that was delivered", async () => {
    const lines = SAMPLE_OOM_LOG.split("\n");
    await produce("POST", `/api/training/jobs/${jobId}/logs`, { lines });
    await produce("PUT", `/api/training/jobs/${jobId}`, {
      status: "failed",
      error: "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.50 GiB.",
    });
    const slack = await waitOn(
      "the job_failed message at the Slack receiver",
      [[receiver.events, "request"]],
      () => receiver.requests.find((r) => r.url.startsWith("/slack") && r.body.includes("failed")),
    );
    const links = strings(JSON.parse(slack.body)).filter((s) =>
      s.startsWith(`${server.url}/training/monitor?jobId=`),
    );
    expect(links).toEqual([`${server.url}/training/monitor?jobId=${jobId}`]);
    detailsUrl = links[0] as string;

    await waitUntil("the job page to show the Slack delivery as delivered", async () => {
      const res = await page.goto(detailsUrl);
      expect(res?.status()).toBe(200);
      const failed = page.locator(".timeline-item").filter({ hasText: "Failed" });
      return ((await failed.textContent()) ?? "").includes("Delivered");
    });
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(MODEL);
    expect(await page.locator(".job-header .badge").textContent()).toBe("Failed");
    const chart = page.getByRole("img", { name: /^Loss by step: 26 points/ });
    expect(await chart.count()).toBe(1);
    expect(await page.locator(".chart-line").first().getAttribute("d")).toMatch(/^M0\.0,/);
    expect(await page.getByText("Step", { exact: true }).count()).toBe(1);
    expect(await page.locator(".chart-y-title").first().textContent()).toBe("Loss");
    expect(await page.locator(".job-log").first().textContent()).toContain(
      "torch.OutOfMemoryError",
    );
    const failed = page.locator(".timeline-item").filter({ hasText: "Failed" });
    expect(await failed.textContent()).toContain("#ml-alerts (Slack)");
    expect(await page.locator(".timeline-item").first().textContent()).toMatch(/^Started/);
    expect(await page.locator(".job-metadata").textContent()).toContain('"group": "sweep-42"');
  });

  it("works without JavaScript: the chart is in the server's HTML", async () => {
    const res = await page.request.get(detailsUrl);
    const html = await res.text();
    expect(res.status()).toBe(200);
    expect(html).toContain('class="chart-line"');
    expect(html).toContain("Loss by step");
  });

  it("shows another user a 404 for the job, and sends a signed-out visitor to sign in and back", async () => {
    const other = await browser.newContext();
    try {
      const p = await other.newPage();
      const first = await p.goto(detailsUrl);
      expect(new URL(p.url()).pathname).toBe("/signin");
      expect(new URL(p.url()).searchParams.get("next")).toBe(`/training/monitor?jobId=${jobId}`);
      expect(first?.status()).toBe(200);
      await p.getByLabel("Email address").fill(OTHER);
      await p.getByRole("button", { name: "Sign in" }).click();
      await p.waitForURL(detailsUrl);
      const res = await p.reload();
      expect(res?.status()).toBe(404);
      expect(await p.getByRole("heading", { level: 1 }).textContent()).toBe("Not found");
      expect(await p.getByText(MODEL).count()).toBe(0);
      const api = await fetch(`${server.url}/api/training/jobs/${jobId}`, {
        headers: { authorization: `Bearer ${await tokenOf(other)}` },
      });
      expect(api.status).toBe(404);
    } finally {
      await other.close();
    }
  });

  it("has no serious or critical accessibility violations on either page", async () => {
    for (const path of ["/training", `/training/monitor?jobId=${jobId}`]) {
      await page.goto(`${server.url}${path}`);
      const violations = await seriousViolations(page);
      expect(violations, `${path}:\n${describeViolations(violations)}`).toEqual([]);
    }
  });

  it("works at 375 px: no sideways scrolling, the job as a card, the chart in view", async () => {
    const narrow = await context.newPage();
    try {
      await narrow.setViewportSize({ width: 375, height: 800 });
      await narrow.goto(`${server.url}/training`);
      expect(await noHorizontalScroll(narrow)).toBe(true);
      const cell = narrow.locator("td[data-label=Model]").first();
      expect((await cell.boundingBox())?.width).toBeLessThanOrEqual(375);
      await narrow.goto(detailsUrl);
      expect(await noHorizontalScroll(narrow)).toBe(true);
      const chart = await narrow.locator(".chart").first().boundingBox();
      expect(chart?.width).toBeGreaterThan(250);
      expect(chart?.width).toBeLessThanOrEqual(375);
      await narrow.emulateMedia({ colorScheme: "dark" });
      const violations = await seriousViolations(narrow);
      expect(violations, describeViolations(violations)).toEqual([]);
    } finally {
      await narrow.close();
    }
  });

  it("resolves every link of every formatted sample, all types and channels, to a page", async () => {
    const cards: AlertCard[] = TEMPLATE_TYPES.map((type) => ({
      id: randomUUID(),
      type,
      title: type,
      message: type,
      jobId,
      // The reports link failed jobs: make them this user's job.
      data: JSON.parse(
        JSON.stringify(SAMPLE_DATA[type]).replace(
          /"job_id":"[0-9a-f-]{36}"/g,
          `"job_id":"${jobId}"`,
        ),
      ),
      createdAt: new Date(),
      appUrl: server.url,
    }));
    // Every channel of the registry, so a channel added later is walked too.
    const links = new Map<string, string>();
    const withLinks = new Set<string>();
    for (const card of cards) {
      for (const channel of Object.values(CHANNELS)) {
        const payload = channel.format(card, {
          kind: channel.kind,
          webhookId: channel.kind === "email" ? null : randomUUID(),
          address: channel.kind === "email" ? EMAIL : "https://receiver.example/hook",
          secret: null,
        });
        for (const link of appLinks(JSON.stringify(payload))) {
          links.set(link, `${card.type} via ${channel.kind}`);
          withLinks.add(channel.kind);
        }
      }
    }
    // The chat platforms and email carry View Details (generic webhooks carry data only).
    for (const kind of ["email", "slack", "discord"]) expect(withLinks).toContain(kind);
    const paths = new Set([...links.keys()].map((l) => new URL(l).pathname));
    expect(paths).toEqual(
      new Set([
        // PagerDuty's client_url: the app itself.
        "/",
        "/training/monitor",
        "/settings/alerts",
        "/alerts/history",
        "/settings/alerts/webhooks",
      ]),
    );
    for (const [link, where] of links) {
      const res = await page.request.get(link);
      expect(res.status(), `${link} (from ${where})`).toBe(200);
      expect(new URL(res.url()).pathname, `${link} (from ${where})`).not.toBe("/signin");
    }
  });
});
