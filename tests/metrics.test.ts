import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { PUT as putPrefs } from "@/app/api/alerts/preferences/route";
import { POST as createWebhook } from "@/app/api/alerts/webhooks/route";
import { GET as metricsRoute } from "@/app/api/metrics/route";
import { startWorker, type Worker } from "@/lib/engine/worker";
import { processMetrics } from "@/lib/metrics/registry";
import { startMetricsServer } from "@/lib/metrics/server";
import { call, makeUser, SERVICE_KEY, startTestApp, type TestApp } from "./helpers/app";
import { startReceiver } from "./helpers/receiver";
import { waitOn, workerIdle } from "./helpers/wait";

/*
 * GET /api/metrics against a running worker: counters and histograms of this
 * process (a test file runs in a process of its own, so they start at 0), the
 * queue gauges from the database.
 */

const METRICS_TOKEN = "metrics-token-for-the-test-0123";

let app: TestApp;
let worker: Worker | undefined;
beforeAll(async () => {
  app = await startTestApp({
    ALERTS_WEBHOOK_ALLOW_HTTP: "true",
    ALERTS_WEBHOOK_ALLOWED_CIDRS: "127.0.0.0/8",
    ALERTS_METRICS_TOKEN: METRICS_TOKEN,
  });
  // Real time: receivers check webhook timestamps, and postponed sends come due.
  app.ctx.clock = () => new Date();
});
afterEach(async () => {
  await worker?.stop(2000);
  worker = undefined;
});
afterAll(() => app?.close());

const scrape = async (token = METRICS_TOKEN) => {
  const res = await metricsRoute(
    new Request("http://localhost/api/metrics", {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    }),
  );
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
};

/** The value of one sample of the Prometheus text, labels in any order; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return 0;
}

/** A user with email off, ungrouped (each alert its own request), and one generic webhook per URL. */
async function userWithWebhooks(...urls: string[]) {
  const user = await makeUser(app);
  const prefs = await call(putPrefs, "PUT", "/api/alerts/preferences", {
    token: user.token,
    body: { email_enabled: false, group_window_seconds: 0 },
  });
  expect(prefs.status).toBe(200);
  for (const url of urls) {
    const res = await call(createWebhook, "POST", "/api/alerts/webhooks", {
      token: user.token,
      body: { name: url, url, webhook_type: "generic", alert_job_failed: true },
    });
    expect(res.status).toBe(201);
  }
  return user;
}

const sendEvents = async (userId: string, n: number, type = "job_failed") => {
  for (let i = 0; i < n; i++) {
    const res = await call(postEvent, "POST", "/api/alerts/events", {
      token: SERVICE_KEY,
      body: { type, user_id: userId, job_id: randomUUID(), data: { error: "boom" } },
    });
    expect(res.status).toBe(202);
  }
};

describe("GET /api/metrics", () => {
  it("refuses a scrape without the metrics token or the service key", async () => {
    expect((await scrape("")).status).toBe(401);
    expect((await scrape("not-the-token-0123456789")).status).toBe(401);
    const user = await makeUser(app);
    expect((await scrape(user.token)).status).toBe(401);
    const ok = await scrape();
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(ok.text).toContain("# TYPE training_alerts_deliveries_due gauge");
    expect((await scrape(SERVICE_KEY)).status).toBe(200);
  });

  it("counts 10 events to two webhooks, one of them failing, exactly", async () => {
    const good = await startReceiver();
    const bad = await startReceiver(() => ({ status: 400, body: "no" }));
    const user = await userWithWebhooks(`${good.url}/ok`, `${bad.url}/no`);
    worker = await startWorker(app.ctx, { pollMs: 100 });
    await sendEvents(user.id, 10);
    await Promise.all([good.waitFor(10), bad.waitFor(10)]);
    await workerIdle(worker.events, app.ctx.db);

    const { text } = await scrape();
    expect(
      sample(text, "training_alerts_events_total", { type: "job_failed", outcome: "alerted" }),
    ).toBe(10);
    expect(sample(text, "training_alerts_alerts_total", { status: "pending" })).toBe(10);
    expect(
      sample(text, "training_alerts_deliveries_total", {
        channel: "generic",
        outcome: "delivered",
      }),
    ).toBe(10);
    expect(
      sample(text, "training_alerts_deliveries_total", { channel: "generic", outcome: "failed" }),
    ).toBe(10);
    // A 400 is not retried. The 10th failure in a row disables the failing webhook
    // (ALERTS_WEBHOOK_DISABLE_AFTER, 10), once.
    expect(sample(text, "training_alerts_delivery_retries_total", { channel: "generic" })).toBe(0);
    expect(
      sample(text, "training_alerts_send_duration_seconds_count", { channel: "generic" }),
    ).toBe(20);
    expect(sample(text, "training_alerts_event_to_delivery_seconds_count")).toBe(10);
    // Every send is counted in the +Inf bucket of its histogram.
    expect(
      sample(text, "training_alerts_send_duration_seconds_bucket", {
        channel: "generic",
        le: "+Inf",
      }),
    ).toBe(20);
    expect(sample(text, "training_alerts_webhooks_disabled_total")).toBe(1);
    await Promise.all([good.close(), bad.close()]);
  });

  it("shows the backlog in the gauges while a receiver hangs, and 0 once it answers", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const hanging = await startReceiver(async () => {
      await gate;
      return { status: 200 };
    });
    const user = await userWithWebhooks(`${hanging.url}/slow`);

    // No worker yet: the events wait in the inbox.
    await sendEvents(user.id, 8);
    const inbox = await scrape();
    expect(sample(inbox.text, "training_alerts_inbox_backlog")).toBe(8);

    // The worker sends 2 at a time to this destination; the receiver holds
    // them, and the other deliveries come due and wait.
    worker = await startWorker(app.ctx, { pollMs: 100, perDestination: 2 });
    await hanging.waitFor(2);
    // Scraped again as the worker claims (and hands back) and each inbox pass.
    const backlog = await waitOn(
      "a due delivery in the gauges",
      [
        [worker.events, "delivery:claimed"],
        [worker.events, "inbox:processed"],
      ],
      async () => {
        const { text } = await scrape();
        return sample(text, "training_alerts_deliveries_due") > 0 &&
          sample(text, "training_alerts_oldest_due_delivery_age_seconds") > 0
          ? text
          : undefined;
      },
    );
    expect(sample(backlog, "training_alerts_inbox_backlog")).toBe(0);

    release();
    await hanging.waitFor(8);
    await workerIdle(worker.events, app.ctx.db);
    const after = await scrape();
    for (const gauge of [
      "training_alerts_deliveries_due",
      "training_alerts_oldest_due_delivery_age_seconds",
      "training_alerts_inbox_backlog",
      "training_alerts_oldest_unprocessed_event_age_seconds",
      "training_alerts_deliveries_deferred",
    ]) {
      expect(sample(after.text, gauge), gauge).toBe(0);
    }
    await hanging.close();
  });

  it("is served by a standalone worker on its own port, with the same credential", async () => {
    const server = await startMetricsServer({
      port: 0,
      host: "127.0.0.1",
      config: app.ctx.config,
      db: app.ctx.db,
      clock: app.ctx.clock,
      metrics: processMetrics(),
    });
    try {
      const url = `http://127.0.0.1:${server.port}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      const res = await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(res.status).toBe(200);
      // The same process's counters as the web route shows (18 events by now).
      const text = await res.text();
      const events = { type: "job_failed", outcome: "alerted" };
      expect(sample(text, "training_alerts_events_total", events)).toBe(18);
      expect(sample((await scrape()).text, "training_alerts_events_total", events)).toBe(18);
      expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
