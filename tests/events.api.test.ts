import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/alerts/events/route";
import { json } from "@/lib/http/route";
import { call, makeUser, SERVICE_KEY, startTestApp, type TestApp } from "./helpers/app";
import { manualEngine } from "./helpers/engine";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const path = "/api/alerts/events";
const valid = () => ({
  type: "job_failed",
  user_id: randomUUID(),
  job_id: randomUUID(),
  data: { model_name: "mistral-7b", error: "CUDA out of memory", duration_seconds: 10 },
});

const storedEvents = async () =>
  Number(
    (await app.ctx.db.query<{ n: number }>("select count(*)::int as n from alert_events")).rows[0]
      ?.n,
  );

describe("event ingest", () => {
  it("stores the event before answering 202 with its id", async () => {
    const body = { ...valid(), event_id: randomUUID() };
    const res = await call(POST, "POST", path, { token: SERVICE_KEY, body });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ event_id: body.event_id, duplicate: false });
    const { rows } = await app.ctx.db.query(
      "select type, user_id, job_id, data, source from alert_events where id = $1",
      [body.event_id],
    );
    expect(rows[0]).toMatchObject({
      type: "job_failed",
      user_id: body.user_id,
      source: "api",
      data: body.data,
    });
  });

  it("marks its small 202 no-transform, so `next start` does not gzip it into a larger body", async () => {
    const res = await call(POST, "POST", path, {
      token: SERVICE_KEY,
      body: valid(),
      headers: { "accept-encoding": "gzip, deflate, br" },
    });
    expect(res.status).toBe(202);
    expect(res.headers.get("cache-control")).toBe("no-store, no-transform");
    // A large answer is still the compression middleware's to compress.
    expect(json({ items: "x".repeat(2000) }).headers.get("cache-control")).toBe("no-store");
  });

  it("keeps extra data fields for generic webhooks", async () => {
    const body = { ...valid(), data: { model_name: "m", run_url: "https://wandb.example/run/1" } };
    const res = await call(POST, "POST", path, { token: SERVICE_KEY, body });
    const { rows } = await app.ctx.db.query<{ data: Record<string, unknown> }>(
      "select data from alert_events where id = $1",
      [res.body.event_id],
    );
    expect(rows[0]?.data.run_url).toBe("https://wandb.example/run/1");
  });

  it("stores text PostgreSQL cannot hold (NUL, unpaired surrogates) with U+FFFD in its place, rather than losing the event", async () => {
    const body = {
      ...valid(),
      data: {
        error: "Traceback\u0000\u0000 (most recent call last)",
        note: "half \ud83d pair",
        "k\u0000": 1,
      },
    };
    const res = await call(POST, "POST", path, { token: SERVICE_KEY, body });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const { rows } = await app.ctx.db.query<{ data: Record<string, unknown> }>(
      "select data from alert_events where id = $1",
      [res.body.event_id],
    );
    expect(rows[0]?.data).toMatchObject({
      error: "Traceback\ufffd\ufffd (most recent call last)",
      note: "half \ufffd pair",
      "k\ufffd": 1,
    });
  });

  it("answers data nested deeper than 64 levels with 400, not a crash", async () => {
    const before = await storedEvents();
    const deep = `${"[".repeat(10_000)}1${"]".repeat(10_000)}`;
    const text = JSON.stringify(valid())
      .replace(/}$/, "")
      .replace('"data":{', `"data":{"deep":${deep},`);
    const res = await call(POST, "POST", path, { token: SERVICE_KEY, rawBody: `${text}}` });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.detail).toMatch(/more than 64 levels deep/);
    expect(await storedEvents()).toBe(before);
  });

  it.each([
    [{ type: "job_exploded" }, "type"],
    [{ user_id: "42" }, "user_id"],
    [{ job_id: "not-a-uuid" }, "job_id"],
    [{ job_id: undefined }, "job_id"],
    [{ occurred_at: "yesterday" }, "occurred_at"],
    [{ data: { duration_seconds: -5 } }, "data.duration_seconds"],
    [{ data: { current_step: 1.5 } }, "data.current_step"],
    [{ data: "oops" }, "data"],
    [{ type: "disk_warning", data: { disk_used_percent: 95 } }, "data.disk_path"],
    [
      { type: "disk_warning", data: { disk_path: "/d", disk_used_percent: 150 } },
      "data.disk_used_percent",
    ],
    [{ severity: "high" }, "severity"],
  ])("rejects %j with a 422 naming %s and stores nothing", async (change, field) => {
    const before = await storedEvents();
    const res = await call(POST, "POST", path, {
      token: SERVICE_KEY,
      body: { ...valid(), ...change },
    });
    expect(res.status).toBe(422);
    expect((res.body.errors as { path: string }[]).map((e) => e.path)).toContain(field);
    expect(await storedEvents()).toBe(before);
  });

  it("answers a body over 64 KiB with 413", async () => {
    const res = await call(POST, "POST", path, {
      token: SERVICE_KEY,
      body: { ...valid(), data: { error: "x".repeat(70_000) } },
    });
    expect(res.status).toBe(413);
  });

  it("accepts only the service key", async () => {
    const user = await makeUser(app);
    expect((await call(POST, "POST", path, { token: user.token, body: valid() })).status).toBe(403);
    expect((await call(POST, "POST", path, { body: valid() })).status).toBe(401);
    expect(
      (await call(POST, "POST", path, { token: `${SERVICE_KEY}x`, body: valid() })).status,
    ).toBe(401);
  });

  it("rejects an Idempotency-Key with control characters", async () => {
    const res = await call(POST, "POST", path, {
      token: SERVICE_KEY,
      body: valid(),
      headers: { "idempotency-key": "a b" },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ path: "Idempotency-Key", message: expect.any(String) }]);
  });
});

describe("the database trigger path", () => {
  it("turns a failed job written with plain SQL into an alert with its error", async () => {
    const engine = await manualEngine(app);
    try {
      const user = await makeUser(app);
      await app.ctx.db.query("insert into auth.users (id, email) values ($1, $2)", [
        user.id,
        user.email,
      ]);
      const jobId = randomUUID();
      await app.ctx.db.query(
        "insert into training_jobs (id, user_id, model_name, status, total_steps) values ($1, $2, 'llama-3-8b', 'running', 1000)",
        [jobId, user.id],
      );
      await app.ctx.db.query(
        "update training_jobs set status = 'failed', current_step = 420, error = $2 where id = $1",
        [
          jobId,
          'Traceback (most recent call last):\n  File "train.py", line 1\ntorch.OutOfMemoryError: CUDA out of memory.',
        ],
      );
      await engine.drain();
      const { rows } = await app.ctx.db.query<{
        alert_type: string;
        title: string;
        message: string;
        status: string;
      }>(
        "select alert_type, title, message, status from alert_history where user_id = $1 order by created_at",
        [user.id],
      );
      // job_started is off by default; job_failed is on and goes by email.
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ alert_type: "job_failed", status: "sent" });
      expect(rows[0]?.title).toContain("llama-3-8b");
      expect(rows[0]?.message).toContain("torch.OutOfMemoryError: CUDA out of memory.");
      expect(engine.mails.some((m) => m.to.includes(user.email))).toBe(true);
    } finally {
      await engine.stop();
    }
  });
});
