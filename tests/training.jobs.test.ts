import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as logs } from "@/app/api/training/jobs/[id]/logs/route";
import { POST as progress } from "@/app/api/training/jobs/[id]/progress/route";
import { PUT } from "@/app/api/training/jobs/[id]/route";
import { sweepStalledJobs } from "@/lib/alerts/triggers/training-job.trigger";
import { call, makeUser, SERVICE_KEY, startTestApp, type TestApp } from "./helpers/app";
import { manualEngine } from "./helpers/engine";

let app: TestApp;
let engine: Awaited<ReturnType<typeof manualEngine>>;
beforeAll(async () => {
  app = await startTestApp({ ALERTS_TIMEOUT_MINUTES: "30" });
  engine = await manualEngine(app);
});
afterAll(async () => {
  await engine?.stop();
  await app?.close();
});
const T0 = new Date("2026-03-02T10:00:00Z");
beforeEach(() => app.setNow(T0));
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const putJob = (id: string, body: Record<string, unknown>) =>
  call(PUT, "PUT", `/api/training/jobs/${id}`, { token: SERVICE_KEY, body, params: { id } });
const postProgress = (id: string, body: Record<string, unknown>) =>
  call(progress, "POST", `/api/training/jobs/${id}/progress`, {
    token: SERVICE_KEY,
    body,
    params: { id },
  });

const events = async (jobId: string) =>
  (
    await app.ctx.db.query<{ type: string; source: string; data: Record<string, unknown> }>(
      "select type, source, data from alert_events where job_id = $1 order by received_at, type",
      [jobId],
    )
  ).rows;

describe("the jobs API", () => {
  it("creates a job (201) and raises job events as its status changes", async () => {
    const user = await makeUser(app);
    const id = randomUUID();
    const created = await putJob(id, {
      user_id: user.id,
      model_name: "mistral-7b",
      status: "queued",
      total_steps: 5000,
      gpu_count: 8,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id,
      status: "queued",
      model_name: "mistral-7b",
      gpu_count: 8,
    });
    expect((await putJob(id, { status: "running" })).status).toBe(200);
    const done = await putJob(id, { status: "completed", current_step: 5000, loss: 0.342 });
    expect(done.body).toMatchObject({ status: "completed", current_step: 5000, loss: 0.342 });
    const raised = await events(id);
    expect(raised.map((e) => e.type)).toEqual(["job_started", "job_completed"]);
    expect(raised[1]).toMatchObject({
      source: "trigger",
      data: { model_name: "mistral-7b", final_loss: 0.342, current_step: 5000, total_steps: 5000 },
    });
  });

  it.each([
    ["completed", "running"],
    ["failed", "completed"],
    ["cancelled", "running"],
    ["running", "queued"],
  ])("refuses %s → %s with 409 and changes nothing", async (from, to) => {
    const user = await makeUser(app);
    const id = randomUUID();
    await putJob(id, { user_id: user.id, status: from });
    const res = await putJob(id, { status: to });
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain(from);
    expect(res.body.errors).toEqual([{ path: "status", message: expect.any(String) }]);
    const { rows } = await app.ctx.db.query<{ status: string }>(
      "select status from training_jobs where id = $1",
      [id],
    );
    expect(rows[0]?.status).toBe(from);
  });

  it("accepts the same status again (producers retry) without a second event", async () => {
    const user = await makeUser(app);
    const id = randomUUID();
    await putJob(id, { user_id: user.id, status: "failed", error: "boom" });
    expect((await putJob(id, { status: "failed" })).status).toBe(200);
    expect((await events(id)).map((e) => e.type)).toEqual(["job_failed"]);
  });

  it("requires user_id to create, refuses to move a job to another user, and validates fields", async () => {
    const user = await makeUser(app);
    const other = await makeUser(app);
    const id = randomUUID();
    const missing = await putJob(id, { status: "running" });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([{ path: "user_id", message: expect.any(String) }]);
    await putJob(id, { user_id: user.id });
    expect((await putJob(id, { user_id: other.id })).status).toBe(409);
    const bad = await putJob(id, { status: "exploded", current_step: -1, gpu_count: "8" });
    expect(bad.status).toBe(422);
    expect((bad.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual([
      "current_step",
      "gpu_count",
      "status",
    ]);
    expect(
      (
        await call(PUT, "PUT", "/api/training/jobs/x", {
          token: SERVICE_KEY,
          body: {},
          params: { id: "x" },
        })
      ).status,
    ).toBe(422);
    const userToken = (await makeUser(app)).token;
    expect(
      (
        await call(PUT, "PUT", `/api/training/jobs/${id}`, {
          token: userToken,
          body: {},
          params: { id },
        })
      ).status,
    ).toBe(403);
  });

  it("records progress for running jobs only", async () => {
    const user = await makeUser(app);
    const id = randomUUID();
    expect((await postProgress(id, { current_step: 1 })).status).toBe(404);
    await putJob(id, { user_id: user.id, status: "queued" });
    expect((await postProgress(id, { current_step: 1 })).status).toBe(409);
    await putJob(id, { status: "running" });
    app.setNow(at(5));
    const res = await postProgress(id, { current_step: 100, loss: 1.5 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      current_step: 100,
      loss: 1.5,
      last_progress_at: at(5).toISOString(),
    });
  });
});

describe("the stall watch", () => {
  async function runningJob(metadata: Record<string, unknown> = {}) {
    const user = await makeUser(app);
    const id = randomUUID();
    await putJob(id, { user_id: user.id, model_name: "llama", status: "running", metadata });
    return id;
  }
  const warnings = async (id: string) =>
    (await events(id)).filter((e) => e.type === "timeout_warning");

  it("warns once per stall, never while progressing, and again after new progress stalls", async () => {
    const stalled = await runningJob();
    const progressing = await runningJob();
    for (const minute of [10, 20, 29]) {
      app.setNow(at(minute));
      await postProgress(progressing, { current_step: minute });
      await sweepStalledJobs(app.ctx.db, app.ctx.clock(), 30);
    }
    expect(await warnings(stalled)).toHaveLength(0);

    app.setNow(at(30));
    await sweepStalledJobs(app.ctx.db, app.ctx.clock(), 30);
    app.setNow(at(45));
    await sweepStalledJobs(app.ctx.db, app.ctx.clock(), 30);
    expect(await warnings(stalled)).toHaveLength(1);
    expect((await warnings(stalled))[0]?.data).toMatchObject({
      minutes_without_progress: 30,
      model_name: "llama",
    });
    expect(await warnings(progressing)).toHaveLength(0);

    app.setNow(at(50));
    await postProgress(stalled, { current_step: 7 });
    app.setNow(at(79));
    await sweepStalledJobs(app.ctx.db, app.ctx.clock(), 30);
    expect(await warnings(stalled)).toHaveLength(1);
    app.setNow(at(80));
    await sweepStalledJobs(app.ctx.db, app.ctx.clock(), 30);
    expect(await warnings(stalled)).toHaveLength(2);
  });

  it("honours a per-job timeout in metadata and ignores finished jobs", async () => {
    const quick = await runningJob({ timeout_minutes: 5 });
    const done = await runningJob();
    await putJob(done, { status: "completed" });
    app.setNow(at(6));
    await sweepStalledJobs(app.ctx.db, app.ctx.clock(), 30);
    app.setNow(at(120));
    await sweepStalledJobs(app.ctx.db, app.ctx.clock(), 30);
    expect(await warnings(quick)).toHaveLength(1);
    expect(await warnings(done)).toHaveLength(0);
  });

  it("turns a stall warning into one alert", async () => {
    const user = await makeUser(app);
    await app.ctx.db.query("update auth.users set email = $2 where id = $1", [user.id, user.email]);
    const id = randomUUID();
    await putJob(id, { user_id: user.id, model_name: "stuck-model", status: "running" });
    app.setNow(at(31));
    await sweepStalledJobs(app.ctx.db, app.ctx.clock(), 30);
    await sweepStalledJobs(app.ctx.db, app.ctx.clock(), 30);
    await engine.drain();
    const { rows } = await app.ctx.db.query<{ alert_type: string }>(
      "select alert_type from alert_history where job_id = $1",
      [id],
    );
    expect(rows.map((r) => r.alert_type)).toEqual(["timeout_warning"]);
  });
});

describe("log scanning", () => {
  const postLogs = (id: string, lines: unknown) =>
    call(logs, "POST", `/api/training/jobs/${id}/logs`, {
      token: SERVICE_KEY,
      body: { lines },
      params: { id },
    });

  it("raises one gpu_oom per job with the matching line and its context", async () => {
    const user = await makeUser(app);
    const id = randomUUID();
    await putJob(id, { user_id: user.id, model_name: "llama-70b", status: "running" });
    const clean = await postLogs(id, ["step 10 loss 1.2", "GPU memory usage: 78%"]);
    expect(clean.body).toEqual({ oom: false });
    const hit = await postLogs(id, [
      "Traceback (most recent call last):",
      '  File "train.py", line 88, in <module>',
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.2 GiB is free.",
    ]);
    expect(hit.body).toMatchObject({ oom: true, signature: "pytorch-cuda", duplicate: false });
    const again = await postLogs(id, [
      "RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB",
    ]);
    expect(again.body).toMatchObject({ oom: true, duplicate: true, event_id: hit.body.event_id });
    const raised = (await events(id)).filter((e) => e.type === "gpu_oom");
    expect(raised).toHaveLength(1);
    expect(raised[0]?.data).toMatchObject({
      model_name: "llama-70b",
      oom_signature: "pytorch-cuda",
    });
    expect(String(raised[0]?.data.log_excerpt)).toContain("train.py");
  });

  it("validates the batch and knows only existing jobs", async () => {
    const id = randomUUID();
    expect((await postLogs(id, ["x"])).status).toBe(404);
    const user = await makeUser(app);
    await putJob(id, { user_id: user.id });
    expect((await postLogs(id, [])).status).toBe(422);
    expect((await postLogs(id, "one line")).status).toBe(422);
    expect(
      (
        await postLogs(
          id,
          Array.from({ length: 1001 }, () => "x"),
        )
      ).status,
    ).toBe(422);
  });
});
