import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { POST as testWebhook } from "@/app/api/alerts/webhooks/[id]/test/route";
import { POST as createWebhook } from "@/app/api/alerts/webhooks/route";
import { recordProgress } from "@/lib/alerts/sql/jobs";
import { resolveResumedStalls } from "@/lib/alerts/triggers/stall-resolved.trigger";
import { sweepStalledJobs } from "@/lib/alerts/triggers/training-job.trigger";
import { URL_PURPOSE } from "@/lib/alerts/webhook-input";
import { decrypt } from "@/lib/security/encryption";
import { adaptiveCardErrors } from "./helpers/adaptive-card";
import { call, SERVICE_KEY, startTestApp, type TestApp, type TestUser } from "./helpers/app";
import { manualEngine } from "./helpers/engine";
import { type Responder, startReceiver } from "./helpers/receiver";
import {
  expectDisabledAndOwnerEmailed,
  webhookOwner,
  webhookRow as webhookRowOf,
} from "./helpers/webhook-owner";

/**
 * The five destinations added with the channel registry, each against a real
 * local HTTP receiver that answers as the platform does: delivered, revoked
 * (disabled at once, the owner emailed), 429 with the platform's own hint,
 * Telegram's supergroup migration, PagerDuty's trigger then resolve, and
 * pacing. The app's clock is set by the test; nothing sleeps.
 */

const logLines: string[] = [];
let app: TestApp;
let engine: Awaited<ReturnType<typeof manualEngine>>;
beforeAll(async () => {
  app = await startTestApp({
    ALERTS_WEBHOOK_ALLOW_HTTP: "true",
    ALERTS_WEBHOOK_ALLOWED_CIDRS: "127.0.0.0/8",
    ALERTS_WEBHOOK_RETRY_SCHEDULE: "5,60,600",
    ALERTS_RATE_LIMIT_PER_HOUR: "1000",
  });
  // Every log line the engine writes, at every level, to look for credentials in.
  app.ctx.log = pino(
    { level: "trace" },
    new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  );
  engine = await manualEngine(app);
});
afterAll(async () => {
  await engine?.stop();
  await app?.close();
});
beforeEach(() => app.setNow(new Date("2026-03-02T12:00:00Z")));

const T = (iso: string) => new Date(iso);
const BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const NTFY_TOKEN = "tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2";
const ROUTING_KEY = "R0ut1ngK3yR0ut1ngK3yR0ut1ngK3y32";

type Kind = "telegram" | "ntfy" | "pagerduty" | "teams" | "mattermost";

/** The webhook of each kind, pointed at the receiver, with its credential. */
function webhookBody(kind: Kind, base: string): Record<string, unknown> {
  switch (kind) {
    case "telegram":
      return { url: `${base}/bot${BOT_TOKEN}/sendMessage?chat_id=-4242`, webhook_type: kind };
    case "ntfy":
      return { url: `${base}/training-topic`, webhook_type: kind, secret: NTFY_TOKEN };
    case "pagerduty":
      return { url: `${base}/v2/enqueue`, webhook_type: kind, secret: ROUTING_KEY };
    case "teams":
      return {
        url: `${base}/workflows/abc/triggers/manual/paths/invoke?sig=s1gn4ture`,
        webhook_type: kind,
      };
    case "mattermost":
      return { url: `${base}/hooks/xmu7yjm9ab8hbxqzq3g5ym9tqa`, webhook_type: kind };
  }
}

async function destination(
  kind: Kind,
  respond: Responder,
  extra: Record<string, unknown> | ((base: string) => Record<string, unknown>) = {},
) {
  const receiver = await startReceiver(respond);
  // Each alert on its own, as these tests are about one alert's delivery (grouping: grouping.destinations.test.ts).
  const user = await webhookOwner(app, { ungrouped: true });
  const res = await call(createWebhook, "POST", "/api/alerts/webhooks", {
    token: user.token,
    body: {
      name: kind,
      ...webhookBody(kind, receiver.url),
      ...(typeof extra === "function" ? extra(receiver.url) : extra),
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { receiver, user, webhookId: res.body.id as string };
}

async function event(user: TestUser, type: string, jobId = randomUUID(), data: object = {}) {
  const res = await call(postEvent, "POST", "/api/alerts/events", {
    token: SERVICE_KEY,
    body: { type, user_id: user.id, job_id: jobId, data: { model_name: "llama-3-8b", ...data } },
  });
  expect(res.status).toBe(202);
  return jobId;
}

const webhookRow = (id: string) => webhookRowOf(app, id);

async function webhookDelivery(user: TestUser) {
  const { rows } = await app.ctx.db.query<{
    status: string;
    attempts: number;
    next_attempt_at: Date | null;
    last_error: string | null;
  }>(
    "select status, attempts, next_attempt_at, last_error from alert_deliveries where user_id = $1 and channel = 'webhook' order by created_at",
    [user.id],
  );
  return rows;
}

/** A received JSON body, read loosely: each test names the fields it checks. */
const bodyOf = (r: { body: string } | undefined) =>
  // biome-ignore lint/suspicious/noExplicitAny: the platforms' payloads are asserted field by field.
  JSON.parse(r?.body ?? "{}") as Record<string, any>;

describe("delivered (2xx) to each new destination, in its own format", () => {
  it("Telegram: sendMessage on the token's path, chat_id in the body, HTML with a URL button", async () => {
    const { receiver, user } = await destination("telegram", () => ({
      status: 200,
      body: '{"ok":true,"result":{}}',
    }));
    await event(user, "job_failed", undefined, {
      error: "</b><a href='http://evil'>x</a>\nValueError: bad",
    });
    await engine.drain();
    expect(receiver.requests).toHaveLength(1);
    const got = receiver.requests[0];
    expect(got?.url).toBe(`/bot${BOT_TOKEN}/sendMessage`);
    const body = bodyOf(got);
    expect(body).toMatchObject({
      chat_id: "-4242",
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
    });
    expect(body.text).toContain("&lt;/b&gt;&lt;a href=");
    expect(body.reply_markup.inline_keyboard[0][0].url).toMatch(/\/training\/monitor\?jobId=/);
    expect((await webhookDelivery(user))[0]?.status).toBe("delivered");
    await receiver.close();
  });

  it("ntfy: JSON publish to the server root with the topic, a high priority for failures, and the token as Bearer", async () => {
    const { receiver, user } = await destination("ntfy", () => ({
      status: 200,
      body: '{"id":"x"}',
    }));
    await event(user, "gpu_oom");
    await engine.drain();
    const got = receiver.requests[0];
    expect(got?.url).toBe("/");
    expect(got?.headers.authorization).toBe(`Bearer ${NTFY_TOKEN}`);
    expect(bodyOf(got)).toMatchObject({ topic: "training-topic", priority: 4, tags: ["boom"] });
    expect(bodyOf(got).actions[0]).toMatchObject({ action: "view", label: "View Details" });
    expect((await webhookDelivery(user))[0]?.status).toBe("delivered");
    await receiver.close();
  });

  it("Teams: an Adaptive Card 1.4 the schema accepts; 202 is delivered", async () => {
    const { receiver, user } = await destination("teams", () => ({ status: 202 }));
    await event(user, "job_completed", undefined, { duration_seconds: 60, final_loss: 0.5 });
    await engine.drain();
    const body = bodyOf(receiver.requests[0]);
    expect(body.type).toBe("message");
    expect(adaptiveCardErrors(body.attachments[0].content)).toEqual([]);
    expect((await webhookDelivery(user))[0]?.status).toBe("delivered");
    await receiver.close();
  });

  it("Mattermost: attachments with fields and a title link", async () => {
    const { receiver, user } = await destination("mattermost", () => ({ status: 200, body: "ok" }));
    await event(user, "job_failed", undefined, { error: "@channel RuntimeError: boom" });
    await engine.drain();
    const body = bodyOf(receiver.requests[0]);
    expect(body.attachments[0].title_link).toMatch(/\/training\/monitor\?jobId=/);
    expect(JSON.stringify(body)).not.toMatch(/@channel/);
    expect((await webhookDelivery(user))[0]?.status).toBe("delivered");
    await receiver.close();
  });

  it("PagerDuty: trigger for a failure, then resolve with the same dedup_key when the job completes", async () => {
    const { receiver, user } = await destination("pagerduty", () => ({
      status: 202,
      body: '{"status":"success","message":"Event processed","dedup_key":"x"}',
    }));
    const jobId = await event(user, "job_failed");
    await engine.drain();
    app.setNow(T("2026-03-02T12:10:00Z"));
    await event(user, "job_completed", jobId);
    await engine.drain();
    expect(receiver.requests).toHaveLength(2);
    const [trigger, resolve] = receiver.requests.map(bodyOf);
    expect(trigger).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: "trigger",
      dedup_key: `job:${jobId}`,
    });
    expect(trigger?.payload).toMatchObject({
      severity: "error",
      source: "llama-3-8b",
      class: "job_failed",
    });
    expect(resolve).toEqual({
      routing_key: ROUTING_KEY,
      event_action: "resolve",
      dedup_key: `job:${jobId}`,
    });
    expect((await webhookDelivery(user)).map((d) => d.status)).toEqual(["delivered", "delivered"]);
    await receiver.close();
  });
});

describe("PagerDuty resolves a stall when the job progresses again", () => {
  it("triggers job:<id> for the stall, then resolves the same dedup_key once progress resumes, once", async () => {
    const { receiver, user } = await destination("pagerduty", () => ({
      status: 202,
      body: '{"status":"success","message":"Event processed"}',
    }));
    const jobId = randomUUID();
    const start = T("2026-03-02T12:00:00Z");
    await app.ctx.db.query(
      `insert into training_jobs (id, user_id, status, model_name, current_step, total_steps, last_progress_at)
       values ($1, $2, 'running', 'llama-3-8b', 100, 1000, $3)`,
      [jobId, user.id, start],
    );
    const stalledAt = new Date(start.getTime() + (app.ctx.config.timeoutMinutes + 1) * 60_000);
    app.setNow(stalledAt);
    expect(await sweepStalledJobs(app.ctx.db, stalledAt, app.ctx.config.timeoutMinutes)).toBe(1);
    await engine.drain();
    expect(receiver.requests.map(bodyOf)).toMatchObject([
      { event_action: "trigger", dedup_key: `job:${jobId}`, payload: { class: "timeout_warning" } },
    ]);
    // Still stalled: nothing to resolve.
    expect(await resolveResumedStalls(engine.deps, stalledAt)).toBe(0);

    const resumedAt = new Date(stalledAt.getTime() + 60_000);
    app.setNow(resumedAt);
    expect(await recordProgress(app.ctx.db, jobId, 101, undefined, resumedAt)).toBeDefined();
    expect(await resolveResumedStalls(engine.deps, resumedAt)).toBe(1);
    await engine.drain();
    expect(receiver.requests.map(bodyOf)[1]).toEqual({
      routing_key: ROUTING_KEY,
      event_action: "resolve",
      dedup_key: `job:${jobId}`,
    });
    // Once per stall: the next sweep finds it resolved.
    expect(await resolveResumedStalls(engine.deps, resumedAt)).toBe(0);
    const { rows } = await app.ctx.db.query<{ alert_type: string; status: string }>(
      "select alert_type, status from alert_history where user_id = $1 order by created_at",
      [user.id],
    );
    expect(rows).toEqual([
      { alert_type: "timeout_warning", status: "sent" },
      { alert_type: "stall_resolved", status: "sent" },
    ]);
    await receiver.close();
  });
});

describe("what a destination does not take, and where it lives", () => {
  it("PagerDuty: a type it does not take is skipped, not delivered, and says why; nothing is sent", async () => {
    const { receiver, user, webhookId } = await destination(
      "pagerduty",
      () => ({ status: 202, body: "{}" }),
      { alert_job_started: true },
    );
    await event(user, "job_started");
    // The positive sign: a failure after it is sent, so the start was worked.
    await event(user, "job_failed");
    await engine.drain();
    // The second of the two waits its turn (0.5 s apart per webhook).
    app.setNow(T("2026-03-02T12:00:01Z"));
    await engine.drain();
    expect(receiver.requests.map((r) => bodyOf(r).payload?.class)).toEqual(["job_failed"]);
    const { rows } = await app.ctx.db.query<{
      alert_type: string;
      status: string;
      delivery: string;
      last_error: string | null;
      webhook_sent: boolean;
    }>(
      `select a.alert_type, a.status, d.status as delivery, d.last_error, a.webhook_sent
       from alert_history a join alert_deliveries d on d.alert_id = a.id
       where a.user_id = $1 and d.channel = 'webhook' order by a.created_at, a.alert_type`,
      [user.id],
    );
    expect(rows).toEqual([
      {
        alert_type: "job_failed",
        status: "sent",
        delivery: "delivered",
        last_error: null,
        webhook_sent: true,
      },
      {
        alert_type: "job_started",
        status: "skipped",
        delivery: "skipped",
        last_error: "PagerDuty takes no job_started alerts; nothing was sent",
        webhook_sent: false,
      },
    ]);
    // The webhook's health is the failure's delivery alone.
    const { rows: hook } = await app.ctx.db.query(
      "select failure_count, last_error, enabled from user_webhooks where id = $1",
      [webhookId],
    );
    expect(hook).toEqual([{ failure_count: 0, last_error: null, enabled: true }]);
    await receiver.close();
  });

  it("ntfy: a server behind a sub-path gets the publish at its own root, with the topic", async () => {
    const { receiver, user } = await destination(
      "ntfy",
      () => ({ status: 200, body: "{}" }),
      (base) => ({ url: `${base}/tools/ntfy/training-topic` }),
    );
    await event(user, "job_failed");
    await engine.drain();
    expect(receiver.requests.map((r) => r.url)).toEqual(["/tools/ntfy/"]);
    expect(bodyOf(receiver.requests[0])).toMatchObject({ topic: "training-topic", priority: 4 });
    expect((await webhookDelivery(user))[0]?.status).toBe("delivered");
    await receiver.close();
  });
});

describe("revoked answers disable the webhook at once and email its owner", () => {
  const revoked: [Kind, number, string][] = [
    [
      "telegram",
      403,
      '{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}',
    ],
    ["telegram", 400, '{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}'],
    ["telegram", 401, '{"ok":false,"error_code":401,"description":"Unauthorized"}'],
    ["ntfy", 401, '{"code":40101,"http":401,"error":"unauthorized"}'],
    ["ntfy", 403, '{"code":40301,"http":403,"error":"forbidden"}'],
    [
      "pagerduty",
      400,
      '{"status":"invalid event","message":"Event object is invalid","errors":["Invalid routing key"]}',
    ],
    [
      "teams",
      401,
      '{"error":{"code":"DirectApiAuthorizationRequired","message":"The request must be authenticated only by Shared Access scheme."}}',
    ],
    ["teams", 404, ""],
    ["mattermost", 404, ""],
    [
      "mattermost",
      400,
      '{"id":"web.incoming_webhook.invalid.app_error","message":"Invalid webhook","status_code":400}',
    ],
  ];
  it.each(revoked)("%s answering %i %s", async (kind, status, body) => {
    const { receiver, user, webhookId } = await destination(kind, () => ({ status, body }));
    await event(user, "job_failed");
    await engine.drain();
    expect(receiver.requests).toHaveLength(1);
    await expectDisabledAndOwnerEmailed(app, engine, user, webhookId);
    await receiver.close();
  });
});

describe("429 waits as the platform says", () => {
  it("Telegram: parameters.retry_after", async () => {
    const { receiver, user } = await destination("telegram", (_, n) =>
      n === 0
        ? {
            status: 429,
            body: '{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 120","parameters":{"retry_after":120}}',
          }
        : { status: 200, body: '{"ok":true}' },
    );
    await event(user, "job_failed");
    await engine.drain();
    expect((await webhookDelivery(user))[0]).toMatchObject({
      status: "retrying",
      next_attempt_at: T("2026-03-02T12:02:00Z"),
    });
    app.setNow(T("2026-03-02T12:02:00Z"));
    await engine.drain();
    expect(receiver.requests).toHaveLength(2);
    expect((await webhookDelivery(user))[0]?.status).toBe("delivered");
    await receiver.close();
  });

  it("ntfy: the daily quota (42908) waits an hour, a request burst limit (42901) the schedule", async () => {
    const quota = await destination("ntfy", () => ({
      status: 429,
      body: '{"code":42908,"http":429,"error":"limit reached: too many messages"}',
    }));
    await event(quota.user, "job_failed");
    await engine.drain();
    expect((await webhookDelivery(quota.user))[0]?.next_attempt_at).toEqual(
      T("2026-03-02T13:00:00Z"),
    );
    const burst = await destination("ntfy", () => ({
      status: 429,
      body: '{"code":42901,"http":429,"error":"limit reached: too many requests, please be nice"}',
    }));
    await event(burst.user, "job_failed");
    await engine.drain();
    expect((await webhookDelivery(burst.user))[0]?.next_attempt_at).toEqual(
      T("2026-03-02T12:00:05Z"),
    );
    await Promise.all([quota.receiver.close(), burst.receiver.close()]);
  });
});

describe("Telegram's supergroup migration", () => {
  it("stores the new chat id and sends the message again there", async () => {
    const { receiver, user, webhookId } = await destination("telegram", (req) =>
      bodyOf(req).chat_id === "-4242"
        ? {
            status: 400,
            body: '{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234567890}}',
          }
        : { status: 200, body: '{"ok":true}' },
    );
    await event(user, "job_failed");
    await engine.drain();
    // Sent again at once, within the chat's pace of one message a second.
    app.setNow(T("2026-03-02T12:00:01Z"));
    await engine.drain();
    expect(receiver.requests.map((r) => bodyOf(r).chat_id)).toEqual(["-4242", "-1001234567890"]);
    const row = await webhookRow(webhookId);
    expect(decrypt(app.ctx.config.encryptionKeys, row?.url ?? "", URL_PURPOSE)).toBe(
      `${receiver.url}/bot${BOT_TOKEN}/sendMessage?chat_id=-1001234567890`,
    );
    expect(row).toMatchObject({
      enabled: true,
      url_masked: expect.not.stringContaining(BOT_TOKEN),
    });
    expect((await webhookDelivery(user))[0]?.status).toBe("delivered");
    await receiver.close();
  });
});

describe("pacing", () => {
  it("Telegram: about one message a second per chat", async () => {
    const { receiver, user } = await destination("telegram", () => ({
      status: 200,
      body: '{"ok":true}',
    }));
    await event(user, "job_failed");
    await event(user, "job_failed");
    await engine.drain();
    expect(receiver.requests).toHaveLength(1);
    app.setNow(T("2026-03-02T12:00:01Z"));
    await engine.drain();
    expect(receiver.requests).toHaveLength(2);
    await receiver.close();
  });

  it("ntfy: a burst of 60 goes at once, the 61st waits 5 s", async () => {
    const { receiver, user } = await destination("ntfy", () => ({ status: 200 }));
    for (let i = 0; i < 61; i++) await event(user, "job_failed");
    await engine.drain();
    expect(receiver.requests).toHaveLength(60);
    app.setNow(T("2026-03-02T12:00:05Z"));
    await engine.drain();
    expect(receiver.requests).toHaveLength(61);
    await receiver.close();
  });
});

describe("Send test and credentials", () => {
  it("sends the sample alert through each new destination's format", async () => {
    for (const kind of ["telegram", "ntfy", "pagerduty", "teams", "mattermost"] as const) {
      const { receiver, user, webhookId } = await destination(kind, () => ({
        status: 202,
        body: "{}",
      }));
      const res = await call(testWebhook, "POST", `/api/alerts/webhooks/${webhookId}/test`, {
        token: user.token,
        params: { id: webhookId },
      });
      expect(res.body, kind).toMatchObject({ ok: true, status_code: 202 });
      expect(receiver.requests).toHaveLength(1);
      await receiver.close();
    }
  });

  it("never writes a bot token, ntfy token, routing key or Teams signature to a recorded error or the log", async () => {
    // Every error recorded above (the platforms' answers are quoted in them) and every log line.
    const { rows } = await app.ctx.db.query<{ last_error: string | null }>(
      `select last_error from alert_deliveries where last_error is not null
       union all select webhook_error from alert_history where webhook_error is not null
       union all select last_error from user_webhooks where last_error is not null
       union all select disabled_reason from user_webhooks where disabled_reason is not null`,
    );
    expect(rows.length).toBeGreaterThan(10);
    const recorded = JSON.stringify(rows);
    const logged = logLines.join("\n");
    for (const secret of [
      BOT_TOKEN,
      BOT_TOKEN.split(":")[1] ?? "",
      NTFY_TOKEN,
      ROUTING_KEY,
      "s1gn4ture",
    ]) {
      expect(logged).not.toContain(secret);
      expect(recorded).not.toContain(secret);
    }
  });
});
