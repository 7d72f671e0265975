import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { PUT as putPrefs } from "@/app/api/alerts/preferences/route";
import { POST as createWebhook } from "@/app/api/alerts/webhooks/route";
import { sendRateLimitNotice } from "@/lib/alerts/alert.service";
import {
  call,
  makeUngroupedUser,
  makeUser,
  SERVICE_KEY,
  startTestApp,
  type TestApp,
  type TestUser,
} from "./helpers/app";
import { manualEngine } from "./helpers/engine";
import { type Responder, startReceiver } from "./helpers/receiver";
import {
  expectDisabledAndOwnerEmailed,
  webhookOwner,
  webhookRow as webhookRowOf,
} from "./helpers/webhook-owner";

let app: TestApp;
let engine: Awaited<ReturnType<typeof manualEngine>>;
beforeAll(async () => {
  app = await startTestApp({
    ALERTS_WEBHOOK_ALLOW_HTTP: "true",
    ALERTS_WEBHOOK_ALLOWED_CIDRS: "127.0.0.0/8",
    ALERTS_RATE_LIMIT_PER_HOUR: "3",
    ALERTS_WEBHOOK_RETRY_SCHEDULE: "5,60,600",
    ALERTS_WEBHOOK_DISABLE_AFTER: "2",
  });
  engine = await manualEngine(app);
});
afterAll(async () => {
  await engine?.stop();
  await app?.close();
});
beforeEach(() => app.setNow(new Date("2026-03-02T12:00:00Z")));

const T = (iso: string) => new Date(iso);

async function hook(user: TestUser, url: string, extra: Record<string, unknown> = {}) {
  const res = await call(createWebhook, "POST", "/api/alerts/webhooks", {
    token: user.token,
    body: { name: "r", url, webhook_type: "generic", ...extra },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function event(user: TestUser, type: string, extra: Record<string, unknown> = {}) {
  const res = await call(postEvent, "POST", "/api/alerts/events", {
    token: SERVICE_KEY,
    body: { type, user_id: user.id, job_id: randomUUID(), data: { model_name: "m" }, ...extra },
  });
  expect(res.status).toBe(202);
  return res.body.event_id as string;
}

async function historyOf(user: TestUser) {
  const { rows } = await app.ctx.db.query<{
    id: string;
    alert_type: string;
    status: string;
    deferred_until: Date | null;
    suppressed_reason: string | null;
  }>(
    "select id, alert_type, status, deferred_until, suppressed_reason from alert_history where user_id = $1 order by created_at, id",
    [user.id],
  );
  return rows;
}

async function deliveriesOf(user: TestUser) {
  const { rows } = await app.ctx.db.query<{
    channel: string;
    status: string;
    attempts: number;
    next_attempt_at: Date | null;
    last_status_code: number | null;
  }>(
    "select channel, status, attempts, next_attempt_at, last_status_code from alert_deliveries where user_id = $1 order by created_at, channel",
    [user.id],
  );
  return rows;
}

describe("preferences gate each channel", () => {
  it("emails the auth address with the seed defaults and skips types that are off", async () => {
    const user = await makeUngroupedUser(app);
    await call(putPrefs, "GET", "/api/alerts/preferences", { token: user.token }); // provisions the user
    await event(user, "job_completed");
    await event(user, "job_started"); // off by default
    await engine.drain();
    const mails = engine.mails.filter((m) => m.to.includes(user.email));
    expect(mails).toHaveLength(1);
    expect(mails[0]?.raw).toContain("Training complete");
    expect((await historyOf(user)).map((h) => h.alert_type)).toEqual(["job_completed"]);
  });

  it("sends to the override address, and to no email when email is off", async () => {
    const user = await makeUngroupedUser(app);
    await call(putPrefs, "PUT", "/api/alerts/preferences", {
      token: user.token,
      body: { email_address: "ops@example.com" },
    });
    await event(user, "job_failed");
    await engine.drain();
    expect(engine.mails.some((m) => m.to.includes("ops@example.com"))).toBe(true);

    await call(putPrefs, "PUT", "/api/alerts/preferences", {
      token: user.token,
      body: { email_enabled: false },
    });
    const before = engine.mails.length;
    await event(user, "job_failed");
    await engine.drain();
    expect(engine.mails.length).toBe(before);
  });

  it("sends to each enabled webhook whose flag is on, and not to others", async () => {
    const on = await startReceiver();
    const off = await startReceiver();
    const disabled = await startReceiver();
    const user = await makeUngroupedUser(app);
    await call(putPrefs, "PUT", "/api/alerts/preferences", {
      token: user.token,
      body: { email_enabled: false },
    });
    await hook(user, on.url);
    await hook(user, off.url, { alert_gpu_oom: false });
    await hook(user, disabled.url, { enabled: false });
    await event(user, "gpu_oom");
    await engine.drain();
    expect([on.requests.length, off.requests.length, disabled.requests.length]).toEqual([1, 0, 0]);
    await Promise.all([on.close(), off.close(), disabled.close()]);
  });
});

describe("quiet hours", () => {
  async function quietUser(body: Record<string, unknown>) {
    const receiver = await startReceiver();
    const user = await makeUngroupedUser(app);
    await call(putPrefs, "PUT", "/api/alerts/preferences", {
      token: user.token,
      body: { email_enabled: false, quiet_hours_enabled: true, ...body },
    });
    await hook(user, receiver.url);
    return { user, receiver };
  }

  it("defers an alert inside a window crossing midnight and releases it at the window's end", async () => {
    const { user, receiver } = await quietUser({
      quiet_hours_start: "22:00",
      quiet_hours_end: "07:30",
      timezone: "Europe/Berlin",
    });
    app.setNow(T("2026-03-02T23:30:00Z")); // 00:30 in Berlin
    await event(user, "job_failed");
    await engine.drain();
    expect(receiver.requests).toHaveLength(0);
    const [alert] = await historyOf(user);
    expect(alert).toMatchObject({ status: "deferred", deferred_until: T("2026-03-03T06:30:00Z") });
    expect((await deliveriesOf(user))[0]).toMatchObject({
      status: "deferred",
      next_attempt_at: T("2026-03-03T06:30:00Z"),
    });

    app.setNow(T("2026-03-03T06:29:59Z"));
    await engine.drain();
    expect(receiver.requests).toHaveLength(0);

    app.setNow(T("2026-03-03T06:30:00Z"));
    await engine.drain();
    expect(receiver.requests).toHaveLength(1);
    expect((await historyOf(user))[0]?.status).toBe("sent");
    await receiver.close();
  });

  it("defers to the real end of the window across a DST change", async () => {
    // Berlin springs forward on 2026-03-29: 02:00 becomes 03:00; a window ending at 02:30 ends at 03:00 (01:00Z).
    const { user, receiver } = await quietUser({
      quiet_hours_start: "23:00",
      quiet_hours_end: "02:30",
      timezone: "Europe/Berlin",
    });
    app.setNow(T("2026-03-28T23:30:00Z")); // 00:30 CET
    await event(user, "job_failed");
    await engine.drain();
    expect((await historyOf(user))[0]?.deferred_until).toEqual(T("2026-03-29T01:00:00Z"));
    app.setNow(T("2026-03-29T01:00:00Z"));
    await engine.drain();
    expect(receiver.requests).toHaveLength(1);
    await receiver.close();
  });

  it("sends at once outside the window", async () => {
    const { user, receiver } = await quietUser({
      quiet_hours_start: "22:00",
      quiet_hours_end: "08:00",
      timezone: "America/New_York",
    });
    app.setNow(T("2026-03-02T17:00:00Z")); // 12:00 in New York
    await event(user, "job_failed");
    await engine.drain();
    expect(receiver.requests).toHaveLength(1);
    await receiver.close();
  });
});

describe("rate limit", () => {
  it("suppresses alerts past the hourly limit, records them, and sends one notice with the count", async () => {
    const receiver = await startReceiver();
    const user = await makeUngroupedUser(app);
    await call(putPrefs, "PUT", "/api/alerts/preferences", {
      token: user.token,
      body: { email_enabled: false },
    });
    await hook(user, receiver.url);
    for (let i = 0; i < 5; i++) {
      app.setNow(new Date(T("2026-03-02T12:00:00Z").getTime() + i * 60_000));
      await event(user, "job_failed");
      await engine.drain();
    }
    expect(receiver.requests).toHaveLength(3);
    const history = await historyOf(user);
    expect(history.map((h) => h.status)).toEqual([
      "sent",
      "sent",
      "sent",
      "suppressed",
      "suppressed",
    ]);
    expect(history[3]?.suppressed_reason).toContain("limit 3");

    app.setNow(T("2026-03-02T13:00:01Z"));
    expect(await sendRateLimitNotice(engine.deps, user.id)).toBe(2);
    await engine.drain();
    expect(receiver.requests).toHaveLength(4);
    expect(JSON.parse(receiver.requests[3]?.body ?? "{}")).toMatchObject({
      type: "rate_limit_notice",
      data: { suppressed_count: 2 },
    });
    // A second notice has nothing new to say.
    expect(await sendRateLimitNotice(engine.deps, user.id)).toBe(0);
    await receiver.close();
  });

  it("with grouping on, counts messages, not alerts: every alert is delivered in exactly one message or suppressed and counted in the notice", async () => {
    const receiver = await startReceiver();
    const user = await makeUser(app);
    expect(
      (
        await call(putPrefs, "PUT", "/api/alerts/preferences", {
          token: user.token,
          body: { email_enabled: false, group_window_seconds: 60 },
        })
      ).status,
    ).toBe(200);
    await hook(user, receiver.url, { alert_job_failed: true });
    const start = T("2026-03-02T12:00:00Z").getTime();
    const at = (seconds: number) => app.setNow(new Date(start + seconds * 1000));
    // 19 failures, one every 5 s; the engine runs each second, so window ends are met on time.
    const models: string[] = [];
    for (let s = 0; s <= 150; s++) {
      at(s);
      // What is due goes first (a window ending at 60 s is sent before the failure at 60 s).
      await engine.drain();
      if (s % 5 === 0 && s <= 90) {
        const model = `m-${String(s / 5).padStart(2, "0")}`;
        models.push(model);
        await event(user, "job_failed", { data: { model_name: model } });
        await engine.drain();
      }
    }

    const history = (await historyOf(user)).filter((h) => h.alert_type === "job_failed");
    expect(history).toHaveLength(models.length);
    // No alert is left waiting, or anything but sent or suppressed.
    expect(new Set(history.map((h) => h.status))).toEqual(new Set(["sent", "suppressed"]));
    const suppressed = history.filter((h) => h.status === "suppressed").length;
    // Limit 3 messages: the first alert (0 s), the first window's group message
    // (opened at 5 s), the second window's (opened at 60 s); from 65 s on the
    // failures are suppressed, 6 of them.
    expect(suppressed).toBe(6);

    /** The models each request names: one alert on its own, or a group's members. */
    const listed = (body: string): string[] => {
      const b = JSON.parse(body);
      if (b.type === "alert.group") {
        expect(b.data.omitted).toBe(0);
        return b.data.alerts.map((a: { data: { model_name: string } }) => a.data.model_name);
      }
      return b.type === "job_failed" ? [b.data.model_name] : [];
    };
    // The second window's batch holds one alert: it goes out as that alert.
    expect(receiver.requests.map((r) => JSON.parse(r.body).type)).toEqual([
      "job_failed",
      "alert.group",
      "job_failed",
    ]);
    const delivered = receiver.requests.flatMap((r) => listed(r.body));
    expect(new Set(delivered).size, "an alert listed twice").toBe(delivered.length);
    expect(delivered).toHaveLength(models.length - suppressed);
    const { rows } = await app.ctx.db.query<{ status: string; n: number }>(
      `select d.status, count(*)::int as n from alert_deliveries d
       join alert_history h on h.id = d.alert_id
       where h.user_id = $1 and h.alert_type = 'job_failed' and h.status = 'sent'
       group by d.status`,
      [user.id],
    );
    expect(rows).toEqual([{ status: "delivered", n: models.length - suppressed }]);

    // Once the hour allows, the notice counts every suppressed one.
    app.setNow(T("2026-03-02T13:00:01Z"));
    expect(await sendRateLimitNotice(engine.deps, user.id)).toBe(suppressed);
    await engine.drain();
    expect(JSON.parse(receiver.requests.at(-1)?.body ?? "{}")).toMatchObject({
      type: "rate_limit_notice",
      data: { suppressed_count: suppressed },
    });
    await receiver.close();
  });
});

describe("webhook outcomes", () => {
  async function receiverUser(respond: Responder) {
    const receiver = await startReceiver(respond);
    const user = await webhookOwner(app, { ungrouped: true });
    const webhookId = await hook(user, `${receiver.url}/h`);
    return { receiver, user, webhookId };
  }

  const webhookRow = (id: string) => webhookRowOf(app, id);

  it("retries 500, 500, then 200 on the schedule and delivers once with one webhook-id", async () => {
    const codes = [500, 500, 200];
    const { receiver, user, webhookId } = await receiverUser((_, n) => ({
      status: codes[n] ?? 200,
    }));
    await event(user, "job_failed");
    await engine.drain();
    expect(receiver.requests).toHaveLength(1);
    const delivery = (await deliveriesOf(user)).find((d) => d.channel === "webhook");
    expect(delivery).toMatchObject({
      status: "retrying",
      attempts: 1,
      next_attempt_at: T("2026-03-02T12:00:05Z"),
    });

    app.setNow(T("2026-03-02T12:00:05Z"));
    await engine.drain();
    expect(receiver.requests).toHaveLength(2);
    app.setNow(T("2026-03-02T12:01:04Z"));
    await engine.drain();
    expect(receiver.requests).toHaveLength(2); // the second wait is 60 s
    app.setNow(T("2026-03-02T12:01:05Z"));
    await engine.drain();
    expect(receiver.requests).toHaveLength(3);
    app.setNow(T("2026-03-02T13:00:00Z"));
    await engine.drain();
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((r) => r.headers["webhook-id"])).size).toBe(1);
    expect((await deliveriesOf(user)).find((d) => d.channel === "webhook")).toMatchObject({
      status: "delivered",
      attempts: 3,
    });
    expect(await webhookRow(webhookId)).toMatchObject({ failure_count: 0, enabled: true });
    await receiver.close();
  });

  it("honours Retry-After when it asks for longer than the schedule", async () => {
    const { receiver, user } = await receiverUser((_, n) =>
      n === 0 ? { status: 429, headers: { "retry-after": "120" } } : { status: 200 },
    );
    await event(user, "job_failed");
    await engine.drain();
    expect(
      (await deliveriesOf(user)).find((d) => d.channel === "webhook")?.next_attempt_at,
    ).toEqual(T("2026-03-02T12:02:00Z"));
    await receiver.close();
  });

  it("disables the webhook at once on 410 and emails the user", async () => {
    const { receiver, user, webhookId } = await receiverUser(() => ({ status: 410 }));
    await event(user, "job_failed");
    await engine.drain();
    expect(receiver.requests).toHaveLength(1);
    await expectDisabledAndOwnerEmailed(app, engine, user, webhookId);
    expect((await historyOf(user)).map((h) => h.alert_type)).toContain("webhook_disabled");
    await receiver.close();
  });

  it("does not follow redirects: a 302 is a failed delivery and the target sees nothing", async () => {
    const target = await startReceiver();
    const { receiver, user } = await receiverUser(() => ({
      status: 302,
      headers: { location: `${target.url}/stolen` },
    }));
    await event(user, "job_failed");
    await engine.drain();
    expect(receiver.requests).toHaveLength(1);
    expect(target.connections).toBe(0);
    expect((await deliveriesOf(user)).find((d) => d.channel === "webhook")).toMatchObject({
      status: "failed",
      last_status_code: 302,
    });
    await Promise.all([receiver.close(), target.close()]);
  });

  it("disables a webhook after ALERTS_WEBHOOK_DISABLE_AFTER failed deliveries in a row, and a success resets the count", async () => {
    let mode = 400;
    const { receiver, user, webhookId } = await receiverUser(() => ({ status: mode }));
    await event(user, "job_failed");
    await engine.drain();
    expect(await webhookRow(webhookId)).toMatchObject({ failure_count: 1, enabled: true });
    mode = 200;
    await event(user, "job_failed");
    await engine.drain();
    expect(await webhookRow(webhookId)).toMatchObject({ failure_count: 0, enabled: true });
    mode = 400;
    app.setNow(T("2026-03-02T14:00:00Z")); // a new hour: the rate limit (3) is not what this is about
    await event(user, "job_failed");
    await event(user, "job_failed");
    await engine.drain();
    expect(await webhookRow(webhookId)).toMatchObject({ failure_count: 2, enabled: false });
    await receiver.close();
  });

  it("refuses a webhook whose address turned private without connecting", async () => {
    const receiver = await startReceiver();
    const user = await makeUngroupedUser(app);
    await call(putPrefs, "PUT", "/api/alerts/preferences", {
      token: user.token,
      body: { email_enabled: false },
    });
    await hook(user, receiver.url);
    // The operator narrows the allowance after the webhook was saved.
    const saved = app.ctx.config.webhooks.allowedCidrs;
    app.ctx.config.webhooks.allowedCidrs = [];
    try {
      await event(user, "job_failed");
      await engine.drain();
    } finally {
      app.ctx.config.webhooks.allowedCidrs = saved;
    }
    expect(receiver.connections).toBe(0);
    const { rows } = await app.ctx.db.query<{ status: string; last_error: string }>(
      "select status, last_error from alert_deliveries where user_id = $1",
      [user.id],
    );
    expect(rows[0]).toMatchObject({
      status: "failed",
      last_error: expect.stringContaining("blocked"),
    });
    await receiver.close();
  });
});

describe("disk warnings", () => {
  it("alert at most once per path per 6 hours, and only at or above the threshold", async () => {
    const receiver = await startReceiver();
    const user = await makeUngroupedUser(app);
    await call(putPrefs, "PUT", "/api/alerts/preferences", {
      token: user.token,
      body: { email_enabled: false },
    });
    await hook(user, receiver.url);
    const disk = (path: string, used: number) =>
      event(user, "disk_warning", {
        job_id: undefined,
        data: { disk_path: path, disk_used_percent: used },
      });

    await disk("/data", 80); // below ALERTS_DISK_THRESHOLD_PERCENT (90)
    await disk("/data", 95);
    await disk("/data", 97);
    await disk("/scratch", 99);
    await engine.drain();
    // Both are queued in one transaction, so they may arrive in either order.
    const paths = receiver.requests.map((r) => JSON.parse(r.body).data.disk_path);
    expect(paths.sort()).toEqual(["/data", "/scratch"]);

    app.setNow(T("2026-03-02T17:59:59Z"));
    await disk("/data", 96);
    await engine.drain();
    expect(receiver.requests).toHaveLength(2);

    app.setNow(T("2026-03-02T18:00:00Z"));
    await disk("/data", 96);
    await engine.drain();
    expect(receiver.requests).toHaveLength(3);
    const { rows } = await app.ctx.db.query<{ outcome: string }>(
      "select outcome from alert_events where user_id = $1 order by received_at, id",
      [user.id],
    );
    expect(rows.map((r) => r.outcome).sort()).toEqual(
      ["alerted", "alerted", "alerted", "below_threshold", "deduplicated", "deduplicated"].sort(),
    );
    await receiver.close();
  });
});
