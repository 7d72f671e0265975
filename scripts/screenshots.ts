// Takes the README's screenshots of the web UI: npm run build && npm run screenshots
// Serves the production build in local mode on a throwaway database, fills it
// with a plausible first hour (preferences, two webhooks, a few alerts, a
// sweep's burst of failures grouped into one message per destination, a long
// job with 2,000 progress points and one that ran out of GPU memory) and saves
// full-page PNGs, 1280 wide, of the pages in docs/screenshots/. Install
// fonts-noto-color-emoji first, or the titles' emoji show as boxes.
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { SAMPLE_OOM_LOG, SAMPLE_TRACEBACK } from "../lib/alerts/templates/samples";
import { userIdForEmail } from "../lib/http/tokens";
import { launchChromium } from "../tests/helpers/browser";
import { startNextServer } from "../tests/helpers/next-server";
import { startReceiver } from "../tests/helpers/receiver";
import { waitUntil } from "../tests/helpers/wait";

const OUT = path.resolve(import.meta.dirname, "..", "docs", "screenshots");
const EMAIL = "ada@example.com";

// The "Slack" webhook answers 400, so the list shows a failing webhook too.
const receiver = await startReceiver((req) =>
  req.url.startsWith("/slack") ? { status: 400, body: "invalid_payload" } : { status: 200 },
);
const server = await startNextServer({ ALERTS_WEBHOOK_RETRY_SCHEDULE: "1" });
const browser = await launchChromium();
try {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    timezoneId: "Europe/Berlin",
    locale: "en-GB",
  });
  const page = await context.newPage();
  const go = (p: string) => page.goto(`${server.url}${p}`);

  await go("/signin");
  await page.getByLabel("Email address").fill(EMAIL);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/settings\/alerts$/);

  // Webhooks: a healthy signed endpoint and a Slack webhook that fails.
  const token = (await context.cookies(server.url)).find((c) => c.name === "ta_token")?.value;
  const api = (p: string, body: unknown, bearer = token) =>
    fetch(`${server.url}${p}`, {
      method: "POST",
      headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  await api("/api/alerts/webhooks", {
    name: "Training dashboard",
    url: `${receiver.url}/hooks/training-alerts`,
    webhook_type: "generic",
    secret: "generate",
    alert_job_started: true,
  });
  await api("/api/alerts/webhooks", {
    name: "#ml-alerts",
    url: `${receiver.url}/slack/services/T000/B000/XXXX`,
    webhook_type: "slack",
    alert_job_completed: false,
    alert_gpu_oom: false,
    alert_disk_warning: false,
    alert_timeout_warning: false,
  });

  // Alerts, as training servers would report them.
  const userId = userIdForEmail(EMAIL);
  const events = [
    {
      type: "job_started",
      data: { model_name: "llama-3-8b-sft", current_step: 0, total_steps: 12000, gpu_count: 8 },
    },
    {
      type: "disk_warning",
      data: { disk_path: "/mnt/checkpoints", disk_used_percent: 94 },
    },
    {
      type: "job_failed",
      data: {
        model_name: "mistral-7b-custom",
        duration_seconds: 2700,
        current_step: 1800,
        total_steps: 5000,
        error: "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.",
      },
    },
    {
      type: "job_completed",
      data: {
        model_name: "llama-3-8b-sft",
        duration_seconds: 9240,
        final_loss: 0.342,
        current_step: 12000,
        total_steps: 12000,
      },
    },
  ];
  for (const e of events) {
    const res = await api(
      "/api/alerts/events",
      { ...e, user_id: userId, job_id: e.type === "disk_warning" ? undefined : randomUUID() },
      server.serviceKey,
    );
    if (res.status !== 202) throw new Error(`event ${e.type}: HTTP ${res.status}`);
  }
  await waitUntil(
    "every delivery to settle",
    async () => {
      await go("/alerts/history");
      const badges = await page.locator(".history-meta .badge:not(.badge-type)").allTextContents();
      return badges.length === events.length && !badges.some((b) => /Pending|Sending/.test(b));
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  );

  // A sweep's burst of failures (a node died): one alert at once, the rest as one group
  // message at the window's end. A short window, so the script does not wait a minute.
  const prefs = await fetch(`${server.url}/api/alerts/preferences`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ group_window_seconds: 5 }),
  });
  if (!prefs.ok) throw new Error(`preferences: HTTP ${prefs.status}`);
  const SWEEP = "lr-sweep-7";
  for (let i = 1; i <= 12; i++) {
    const res = await api(
      "/api/alerts/events",
      {
        type: "job_failed",
        user_id: userId,
        job_id: randomUUID(),
        data: {
          model_name: `llama-3-8b-lr-${i}e-5`,
          group: SWEEP,
          duration_seconds: 600 + i * 37,
          error:
            "torch.distributed.DistBackendError: NCCL error: remote process exited (node gpu-17)",
        },
      },
      server.serviceKey,
    );
    if (res.status !== 202) throw new Error(`burst event ${i}: HTTP ${res.status}`);
  }
  await waitUntil(
    "the sweep's group messages to go out",
    async () => {
      await go(`/alerts/history?group=${SWEEP}`);
      const message = page
        .locator(".history-item")
        .filter({ has: page.locator(".badge-type", { hasText: /^Group message$/ }) });
      const badges = await message
        .locator(".history-meta .badge:not(.badge-type)")
        .allTextContents();
      return badges.length > 0 && !badges.some((b) => /Pending|Sending/.test(b));
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );

  // Jobs: a long run with 2,000 progress points, and one that ran out of GPU memory.
  const producer = async (method: string, p: string, body: unknown) => {
    const res = await fetch(`${server.url}${p}`, {
      method,
      headers: { authorization: `Bearer ${server.serviceKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${p}: HTTP ${res.status}`);
  };
  const longJob = randomUUID();
  await producer("PUT", `/api/training/jobs/${longJob}`, {
    user_id: userId,
    model_name: "llama-3-8b-sft",
    status: "running",
    total_steps: 24_000,
    gpu_count: 8,
    metadata: { group: "sft-sweep-3", dataset: "ultrachat-200k", lr: 2e-5, batch_size: 128 },
  });
  for (let i = 0; i < 2000; i++) {
    const step = i * 10;
    // A noisy, decaying curve with a warm-up bump.
    const loss = 0.35 + 2.4 * Math.exp(-step / 3500) + 0.3 * Math.exp(-(((step - 800) / 400) ** 2));
    await producer("POST", `/api/training/jobs/${longJob}/progress`, {
      current_step: step,
      loss: Number((loss * (1 + 0.04 * Math.sin(i * 1.7) * Math.cos(i * 0.31))).toFixed(4)),
      metrics: { lr: 2e-5, tokens_per_s: 48_000 + (i % 7) * 350 },
    });
  }
  const oomJob = randomUUID();
  await producer("PUT", `/api/training/jobs/${oomJob}`, {
    user_id: userId,
    model_name: "mistral-7b-custom",
    status: "running",
    total_steps: 5000,
    gpu_count: 4,
    metadata: { group: "sft-sweep-3" },
  });
  for (let step = 0; step <= 2100; step += 50) {
    await producer("POST", `/api/training/jobs/${oomJob}/progress`, {
      current_step: step,
      loss: Number((0.4 + 1.9 * Math.exp(-step / 700)).toFixed(4)),
    });
  }
  await producer("POST", `/api/training/jobs/${oomJob}/logs`, {
    lines: SAMPLE_OOM_LOG.split("\n"),
  });
  await producer("PUT", `/api/training/jobs/${oomJob}`, {
    status: "failed",
    error: SAMPLE_TRACEBACK,
  });

  // Preferences, after the alerts so that quiet hours cannot hold them back.
  await go("/settings/alerts");
  await page.getByLabel("Job started", { exact: true }).check();
  await page.getByLabel(/Hold alerts during quiet hours/).check();
  await page.getByLabel("From").fill("23:00");
  await page.getByLabel("Until").fill("07:00");
  await page.getByLabel("Time zone").fill("Europe/Berlin");
  await page.getByLabel("Daily summary").check();
  await page.getByLabel("Send at").fill("09:00");
  await page.getByLabel("Group bursts of alerts over (seconds)").fill("60");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.locator(".sticky-actions [role=status]").getByText("Saved.").waitFor();

  mkdirSync(OUT, { recursive: true });
  const shot = async (name: string, scrollTo = "body") => {
    await page.evaluate(
      (selector) =>
        window.scrollTo(0, (document.querySelector(selector) as HTMLElement).offsetTop - 16),
      scrollTo,
    );
    // The whole page in one viewport: a full-page capture of an 800 px viewport
    // would leave sticky bars (the settings' Save bar) over the middle of the page.
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: 1280, height: Math.max(800, height) });
    await page.screenshot({ path: path.join(OUT, name) });
    await page.setViewportSize({ width: 1280, height: 800 });
    process.stdout.write(`wrote docs/screenshots/${name}\n`);
  };

  await go("/settings/alerts");
  await shot("settings.png", "form fieldset:nth-of-type(2)");

  await go("/settings/alerts/webhooks");
  await waitUntil("the Slack webhook to show as failing", async () => {
    await go("/settings/alerts/webhooks");
    return (await page.getByText(/^Failing/).count()) > 0;
  });
  await shot("webhooks.png");

  await go("/alerts/history");
  const failed = page.locator(".history-item").filter({ hasText: "mistral-7b-custom" });
  await failed.locator("summary").first().click();
  await shot("history.png", ".filters");

  await go(`/alerts/history?group=${SWEEP}`);
  const member = page
    .locator(".history-item")
    .filter({ has: page.getByTestId("group-message") })
    .first();
  await member.locator("summary").first().click();
  await shot("history-group.png", ".filters");

  await go("/training");
  await shot("jobs.png");

  await go(`/training/monitor?jobId=${longJob}`);
  await shot("job.png");

  await waitUntil(
    "the OOM job's alerts to settle",
    async () => {
      await go(`/training/monitor?jobId=${oomJob}`);
      const text = (await page.locator(".timeline").textContent()) ?? "";
      return text.includes("GPU out of memory") && !/Pending|Sending/.test(text);
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  );
  await shot("job-oom.png", "#problems");
} finally {
  await browser.close();
  await receiver.close();
  await server.stop();
}
