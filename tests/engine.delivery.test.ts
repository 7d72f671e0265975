import { randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { GET as history } from "@/app/api/alerts/history/route";
import { POST as testWebhook } from "@/app/api/alerts/webhooks/[id]/test/route";
import { call, makeUngroupedUser, SERVICE_KEY, type TestUser } from "./helpers/app";
import { workerTestApp } from "./helpers/engine-app";
import { userWithWebhook as webhookFixture } from "./helpers/fixtures";
import { startReceiver } from "./helpers/receiver";
import { waitOn, workerIdle } from "./helpers/wait";

const t = workerTestApp({ pollMs: 200 });

/**
 * A user with a signed generic webhook at `url` (the shared fixture, with a
 * generated secret), ungrouped: these tests are about each alert's own delivery.
 */
const userWithWebhook = (url: string, extra: Record<string, unknown> = {}) =>
  webhookFixture(t.app, url, { secret: "generate", ...extra }, { ungrouped: true });

const sendEvent = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call(postEvent, "POST", "/api/alerts/events", { token: SERVICE_KEY, body, headers });

/** Lets the worker finish whatever it is doing (the inbox empty, no delivery pending or in flight). */
const settle = () => workerIdle(t.worker.events, t.app.ctx.db);

describe("a job_failed event to a user with a signed generic webhook", () => {
  it("arrives at the receiver, verifiably signed, shaped { type, timestamp, data }", async () => {
    const receiver = await startReceiver();
    const { user, secret } = await userWithWebhook(`${receiver.url}/hook`);
    const jobId = randomUUID();
    const res = await sendEvent({
      type: "job_failed",
      user_id: user.id,
      job_id: jobId,
      data: {
        model_name: "mistral-7b-custom",
        duration_seconds: 2700,
        error: "RuntimeError: CUDA error",
      },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ event_id: expect.any(String), duplicate: false });
    await receiver.waitFor(1);
    const got = receiver.requests[0];
    if (!got) throw new Error("no request");
    const verified = new Webhook(secret).verify(
      got.body,
      got.headers as Record<string, string>,
    ) as {
      type: string;
      timestamp: string;
      data: Record<string, unknown>;
    };
    expect(verified.type).toBe("job_failed");
    expect(verified.data).toMatchObject({ model_name: "mistral-7b-custom", job_id: jobId });
    expect(got.body).not.toContain(user.email);
    await receiver.close();
  });

  it("shows the alert as sent in history with its delivery", async () => {
    const receiver = await startReceiver();
    const { user, webhookId } = await userWithWebhook(`${receiver.url}/hook`);
    await sendEvent({
      type: "job_completed",
      user_id: user.id,
      job_id: randomUUID(),
      data: { model_name: "m" },
    });
    await receiver.waitFor(1);
    const page = await waitForHistory(user, (items) => items[0]?.status === "sent");
    expect(page[0]).toMatchObject({
      alert_type: "job_completed",
      status: "sent",
      webhook_sent: true,
      webhook_id: webhookId,
      deliveries: expect.arrayContaining([
        expect.objectContaining({
          channel: "webhook",
          status: "delivered",
          attempts: 1,
          last_status_code: 200,
        }),
      ]),
    });
    await receiver.close();
  });
});

describe("idempotency and dedupe", () => {
  it("makes one alert of the same event_id sent twice", async () => {
    const receiver = await startReceiver();
    const { user } = await userWithWebhook(`${receiver.url}/hook`);
    const event = {
      event_id: randomUUID(),
      type: "gpu_oom",
      user_id: user.id,
      job_id: randomUUID(),
    };
    const first = await sendEvent(event);
    const second = await sendEvent(event);
    expect(first.body).toEqual({ event_id: event.event_id, duplicate: false });
    expect(second.body).toEqual({ event_id: event.event_id, duplicate: true });
    await receiver.waitFor(1);
    await settle();
    expect(receiver.requests).toHaveLength(1);
    await receiver.close();
  });

  it("makes one alert of a repeated Idempotency-Key", async () => {
    const user = await makeUngroupedUser(t.app);
    const body = {
      type: "disk_warning",
      user_id: user.id,
      data: { disk_path: "/data", disk_used_percent: 95 },
    };
    const a = await sendEvent(body, { "idempotency-key": "disk-1" });
    const b = await sendEvent(body, { "idempotency-key": "disk-1" });
    expect(b.body).toEqual({ event_id: a.body.event_id, duplicate: true });
  });

  it("makes one alert of a job_completed reported by the trigger and by the API", async () => {
    const receiver = await startReceiver();
    const { user } = await userWithWebhook(`${receiver.url}/hook`);
    const jobId = randomUUID();
    await t.app.ctx.db.query(
      "insert into training_jobs (id, user_id, model_name, status) values ($1, $2, 'llama', 'completed')",
      [jobId, user.id],
    );
    await sendEvent({
      type: "job_completed",
      user_id: user.id,
      job_id: jobId,
      data: { model_name: "llama" },
    });
    await receiver.waitFor(1);
    await settle();
    expect(receiver.requests).toHaveLength(1);
    const { rows } = await t.app.ctx.db.query<{ outcome: string }>(
      "select outcome from alert_events where job_id = $1 order by outcome",
      [jobId],
    );
    expect(rows.map((r) => r.outcome)).toEqual(["alerted", "deduplicated"]);
    await receiver.close();
  });
});

async function waitForHistory(user: TestUser, done: (items: Record<string, unknown>[]) => boolean) {
  // Asked again as the worker decides events and records outcomes.
  const signals = [
    [t.worker.events, "inbox:processed"],
    [t.worker.events, "delivery:recorded"],
  ] as const;
  return waitOn("history to reach the expected state", signals, async () => {
    const res = await call<{ items: Record<string, unknown>[] }>(
      history,
      "GET",
      "/api/alerts/history",
      { token: user.token },
    );
    return done(res.body.items) && res.body.items;
  });
}

describe("sending a test alert", () => {
  it("delivers a signed sample now and reports the receiver's answer", async () => {
    const receiver = await startReceiver((_, n) => ({ status: n === 0 ? 200 : 503 }));
    const { user, webhookId, secret } = await userWithWebhook(`${receiver.url}/hook`);
    const ok = await call(testWebhook, "POST", `/api/alerts/webhooks/${webhookId}/test`, {
      token: user.token,
      params: { id: webhookId },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      ok: true,
      status_code: 200,
      error: null,
      duration_ms: expect.any(Number),
    });
    const got = receiver.requests[0];
    expect(
      got && new Webhook(secret).verify(got.body, got.headers as Record<string, string>),
    ).toMatchObject({ type: "test" });

    const failing = await call(testWebhook, "POST", `/api/alerts/webhooks/${webhookId}/test`, {
      token: user.token,
      params: { id: webhookId },
    });
    expect(failing.body).toMatchObject({
      ok: false,
      status_code: 503,
      error: expect.stringContaining("503"),
    });

    const stranger = await makeUngroupedUser(t.app);
    const hidden = await call(testWebhook, "POST", `/api/alerts/webhooks/${webhookId}/test`, {
      token: stranger.token,
      params: { id: webhookId },
    });
    expect(hidden.status).toBe(404);
    expect(receiver.requests).toHaveLength(2);
    await receiver.close();
  });
});

describe("the worker's stall watch", () => {
  it("warns about a running job that stopped making progress, once", async () => {
    const receiver = await startReceiver();
    const { user } = await userWithWebhook(`${receiver.url}/hook`);
    const jobId = randomUUID();
    // A second job, two minutes younger, stalls only after the second jump:
    // its warning says a sweep ran after that jump too.
    const probeId = randomUUID();
    const started = t.app.ctx.clock();
    await t.app.ctx.db.query(
      `insert into training_jobs (id, user_id, model_name, status, last_progress_at)
       values ($1, $2, 'stuck', 'running', $3), ($4, $2, 'probe', 'running', $5)`,
      [jobId, user.id, started, probeId, new Date(started.getTime() + 2 * 60_000)],
    );
    const sent = (job: string) =>
      receiver.requests
        .map((r) => JSON.parse(r.body) as { type: string; data: { job_id?: string } })
        .filter((b) => b.data.job_id === job)
        .map((b) => b.type)
        .sort();
    try {
      // job_started of both (the inserts) first, recorded: jumping the clock
      // with a send in flight would expire its lease, and the sweep would
      // send it again.
      await receiver.waitFor(2);
      await settle();
      // The worker sweeps about once a minute of its clock.
      t.app.setNow(new Date(started.getTime() + 31 * 60_000));
      await waitOn("the stall warning", [[receiver.events, "request"]], () =>
        sent(jobId).includes("timeout_warning"),
      );
      // The same holds for the warning: recorded before the next jump.
      await settle();
      t.app.setNow(new Date(started.getTime() + 33 * 60_000));
      await waitOn("the probe's stall warning", [[receiver.events, "request"]], () =>
        sent(probeId).includes("timeout_warning"),
      );
      await settle();
      expect(sent(jobId)).toEqual(["job_started", "timeout_warning"]);
      const { rows } = await t.app.ctx.db.query<{ alert_type: string }>(
        "select alert_type from alert_history where job_id = $1 order by alert_type",
        [jobId],
      );
      expect(rows.map((r) => r.alert_type)).toEqual(["job_started", "timeout_warning"]);
    } finally {
      t.app.setNow(new Date());
      await receiver.close();
    }
  });
});
