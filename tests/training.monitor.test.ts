import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as progress } from "@/app/api/training/jobs/[id]/progress/route";
import { GET as getJob, PUT } from "@/app/api/training/jobs/[id]/route";
import { GET as listJobs } from "@/app/api/training/jobs/route";
import { jobDetailSchema, jobsPageSchema } from "@/lib/alerts/api/jobs.schema";
import { loadReportContent } from "@/lib/alerts/sql/reports";
import { withUser } from "@/lib/db/with-user";
import { call, makeUser, SERVICE_KEY, startTestApp, type TestApp } from "./helpers/app";
import { manualEngine } from "./helpers/engine";

let app: TestApp;
let engine: Awaited<ReturnType<typeof manualEngine>>;
beforeAll(async () => {
  app = await startTestApp();
  engine = await manualEngine(app);
});
afterAll(async () => {
  await engine?.stop();
  await app?.close();
});
const T0 = new Date("2026-03-02T10:00:00Z");
beforeEach(() => app.setNow(T0));
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

const putJob = (id: string, body: Record<string, unknown>) =>
  call(PUT, "PUT", `/api/training/jobs/${id}`, { token: SERVICE_KEY, body, params: { id } });
const postProgress = (id: string, body: Record<string, unknown>) =>
  call(progress, "POST", `/api/training/jobs/${id}/progress`, {
    token: SERVICE_KEY,
    body,
    params: { id },
  });
const detail = (token: string, id: string, query: Record<string, string> = {}) =>
  call(getJob, "GET", `/api/training/jobs/${id}`, { token, params: { id }, query });
const list = (token: string, query: Record<string, string> = {}) =>
  call<{ items: { id: string; [k: string]: unknown }[]; next_cursor: string | null }>(
    listJobs,
    "GET",
    "/api/training/jobs",
    { token, query },
  );

/** The stored points of a job, as the owner connection sees them. */
const stored = async (jobId: string) =>
  (
    await app.ctx.db.query<{ step: number; loss: number | null }>(
      "select step, loss from training_job_progress where job_id = $1 order by step",
      [jobId],
    )
  ).rows;

/** Moves a running job through steps `from`..`to` by plain SQL, one update per step (the trigger path). */
const stepThrough = (jobId: string, from: number, to: number) =>
  app.ctx.db.exec(
    `do $$ begin
       for s in ${from}..${to} loop
         update training_jobs set current_step = s, loss = 10.0 / (s + 1) where id = '${jobId}';
       end loop;
     end $$`,
  );

async function runningJob(userId: string, body: Record<string, unknown> = {}) {
  const id = randomUUID();
  const res = await putJob(id, { user_id: userId, status: "running", ...body });
  expect(res.status).toBe(201);
  return id;
}

describe("progress history", () => {
  it("records a point for each progress report, PUT with a step, and plain SQL update", async () => {
    const user = await makeUser(app);
    const id = await runningJob(user.id, { model_name: "gpt-small", total_steps: 100 });
    app.setNow(at(60));
    await postProgress(id, { current_step: 10, loss: 2.5, metrics: { lr: 0.0003, tok_s: 1200 } });
    app.setNow(at(120));
    await putJob(id, { current_step: 20, loss: 1.75 });
    await app.ctx.db.query(
      "update training_jobs set current_step = 30, loss = 'NaN' where id = $1",
      [id],
    );
    // The same step again replaces its reading.
    app.setNow(at(180));
    await postProgress(id, { current_step: 20, loss: 1.5 });

    const res = await detail(user.token, id);
    expect(res.status).toBe(200);
    const job = jobDetailSchema.parse(res.body);
    expect(job.progress).toEqual([
      { step: 10, loss: 2.5, at: at(60).toISOString(), metrics: { lr: 0.0003, tok_s: 1200 } },
      { step: 20, loss: 1.5, at: at(180).toISOString(), metrics: null },
      // A point carries the job's latest metrics: the PUT and plain SQL reported none of their own.
      { step: 30, loss: "nan", at: expect.any(String), metrics: { lr: 0.0003, tok_s: 1200 } },
    ]);
    expect(job.progress_count).toBe(3);
  });

  it("refuses metrics that are not a few named numbers", async () => {
    const user = await makeUser(app);
    const id = await runningJob(user.id);
    const bad = await postProgress(id, { current_step: 1, metrics: { lr: "fast" } });
    expect(bad.status).toBe(422);
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`m${i}`, i]));
    expect((await postProgress(id, { current_step: 1, metrics: many })).status).toBe(422);
    expect(await stored(id)).toEqual([]);
  });

  it("keeps at most 2000 points per job, thinned evenly, with the first and last", {
    timeout: 120_000,
  }, async () => {
    const user = await makeUser(app);
    const id = await runningJob(user.id, { current_step: 0, loss: 10 });
    await stepThrough(id, 1, 2600);
    let points = await stored(id);
    expect(points.length).toBeLessThanOrEqual(2000);
    expect(points[0]?.step).toBe(0);
    expect(points.at(-1)?.step).toBe(2600);

    await stepThrough(id, 2601, 4500);
    points = await stored(id);
    expect(points.length).toBeLessThanOrEqual(2000);
    expect(points.length).toBeGreaterThan(500);
    expect(points[0]?.step).toBe(0);
    expect(points.at(-1)).toEqual({ step: 4500, loss: 10 / 4501 });
    // Evenly: every twentieth of the run keeps a share of the points.
    const twentieths = new Map<number, number>();
    for (const p of points) {
      const k = Math.min(19, Math.floor(p.step / 225));
      twentieths.set(k, (twentieths.get(k) ?? 0) + 1);
    }
    expect(twentieths.size).toBe(20);
    expect(Math.min(...twentieths.values())).toBeGreaterThanOrEqual(points.length / 20 / 4);
    const counted = await app.ctx.db.query<{ points: number }>(
      "select points from training_job_progress_counts where job_id = $1",
      [id],
    );
    expect(counted.rows[0]?.points).toBe(points.length);
  });

  it("is hidden from other users by row-level security", async () => {
    const owner = await makeUser(app);
    const other = await makeUser(app);
    await makeUserRow(other.id);
    const id = await runningJob(owner.id, { current_step: 1, loss: 1 });
    const seen = (userId: string) =>
      withUser(app.ctx.db, userId, async (tx) =>
        (
          await tx.query<{ step: number }>(
            "select step from training_job_progress where job_id = $1",
            [id],
          )
        ).rows.map((r) => r.step),
      );
    expect(await seen(owner.id)).toEqual([1]);
    expect(await seen(other.id)).toEqual([]);
    const write = withUser(app.ctx.db, owner.id, (tx) =>
      tx.query("delete from training_job_progress where job_id = $1", [id]),
    );
    await expect(write).rejects.toMatchObject({ code: "42501" });
  });
});

describe("reports", () => {
  it("take a run's final loss from its last finite progress point when the job has none", async () => {
    const user = await makeUser(app);
    const diverged = await runningJob(user.id, {
      model_name: "trend-model",
      current_step: 1,
      loss: 0.9,
    });
    await postProgress(diverged, { current_step: 2, loss: 0.7 });
    // The run ends on a NaN: the trend keeps its last finite reading.
    await putJob(diverged, { status: "completed", current_step: 3 });
    await app.ctx.db.query("update training_jobs set loss = 'NaN' where id = $1", [diverged]);
    const plain = await runningJob(user.id, { model_name: "trend-model" });
    await putJob(plain, { status: "completed", loss: 0.5 });
    // finished_at comes from the database's clock.
    const now = Date.now();
    const [content] = await loadReportContent(app.ctx.db, [
      {
        key: "k",
        user_id: user.id,
        kind: "daily",
        period_start: new Date(now - 86_400_000),
        period_end: new Date(now + 60_000),
        timezone: "UTC",
      },
    ]);
    expect(content?.models).toEqual([
      {
        model: "trend-model",
        runs: 2,
        best_loss: 0.5,
        losses: [expect.any(Number), expect.any(Number)],
      },
    ]);
    expect([...(content?.models[0]?.losses ?? [])].sort()).toEqual([0.5, 0.7]);
  });
});

/** A user row for someone who has not called the API yet. */
const makeUserRow = (id: string) =>
  app.ctx.db.query("insert into auth.users (id) values ($1) on conflict do nothing", [id]);

describe("GET /api/training/jobs", () => {
  it("pages through every job once, newest first, even when jobs share a creation time", async () => {
    const user = await makeUser(app);
    await makeUserRow(user.id);
    const made = new Set<string>();
    for (let i = 0; i < 23; i++) {
      const id = randomUUID();
      made.add(id);
      // Groups of five share a created_at, so only the id breaks the tie.
      await app.ctx.db.query(
        `insert into training_jobs (id, user_id, model_name, created_at)
         values ($1, $2, $3, $4)`,
        [id, user.id, `model-${i}`, at(Math.floor(i / 5))],
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await list(user.token, { limit: "4", ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      const page = jobsPageSchema.parse(res.body);
      seen.push(...page.items.map((j) => j.id));
      const times = page.items.map((j) => j.created_at);
      expect([...times].sort().reverse()).toEqual(times);
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor && pages < 20);
    expect(pages).toBe(6);
    expect(seen).toHaveLength(23);
    expect(new Set(seen)).toEqual(made);
  });

  it("filters by status, group, since and model name, and shows progress and the last alert", async () => {
    const user = await makeUser(app);
    const other = await makeUser(app);
    const a = await runningJob(user.id, {
      model_name: "llama-3-8b_dpo",
      total_steps: 1000,
      gpu_count: 8,
      metadata: { group: "sweep-7" },
    });
    // The table stamps started_at with the database's clock; the test's clock is T0.
    await app.ctx.db.query("update training_jobs set started_at = $2 where id = $1", [a, T0]);
    app.setNow(at(600));
    await postProgress(a, { current_step: 250, loss: 0.9 });
    const b = await runningJob(user.id, { model_name: "mistral-7b" });
    await putJob(b, { status: "failed", error: "boom" });
    await runningJob(other.id, { model_name: "llama-3-8b_dpo" });
    await engine.drain();

    const all = await list(user.token);
    expect(all.body.items.map((j) => j.id)).toEqual([b, a]);
    expect(all.body.items[1]).toMatchObject({
      id: a,
      status: "running",
      current_step: 250,
      total_steps: 1000,
      loss: 0.9,
      gpu_count: 8,
      group: "sweep-7",
      duration_seconds: 600,
      // job_started is off by default (the seed's defaults): no alert yet.
      last_alert: null,
    });
    expect(all.body.items[0]).toMatchObject({ last_alert: { alert_type: "job_failed" } });

    const ids = async (query: Record<string, string>) =>
      (await list(user.token, query)).body.items.map((j) => j.id);
    expect(await ids({ status: "failed" })).toEqual([b]);
    expect(await ids({ group: "sweep-7" })).toEqual([a]);
    expect(await ids({ q: "LLAMA" })).toEqual([a]);
    // "_" is a character here, not a wildcard.
    expect(await ids({ q: "8b_d" })).toEqual([a]);
    expect(await ids({ q: "8b%d" })).toEqual([]);
    expect(await ids({ since: "2999-01-01T00:00:00Z" })).toEqual([]);
    expect((await list(user.token, { status: "exploded" })).status).toBe(422);
    expect((await list(user.token, { cursor: "nope" })).status).toBe(422);
    expect((await list(SERVICE_KEY)).status).toBe(403);
  });
});

describe("GET /api/training/jobs/{id}", () => {
  it("answers the job with its events and alerts with deliveries; another user gets 404", async () => {
    const user = await makeUser(app);
    const other = await makeUser(app);
    // A first call as the user records their email, where the job_failed alert goes.
    await list(user.token);
    const id = await runningJob(user.id, { model_name: "gpt-small", gpu_count: 4 });
    app.setNow(at(3600));
    await putJob(id, { status: "failed", error: "CUDA out of memory", current_step: 5 });
    await engine.drain();

    const res = await detail(user.token, id);
    expect(res.status).toBe(200);
    const job = jobDetailSchema.parse(res.body);
    expect(job).toMatchObject({
      id,
      status: "failed",
      error: "CUDA out of memory",
      gpu_count: 4,
      duration_seconds: expect.any(Number),
    });
    expect(job.events.map((e) => e.type)).toEqual(["job_started", "job_failed"]);
    expect(job.alerts.map((a) => a.alert_type)).toEqual(["job_failed"]);
    expect(job.alerts[0]?.deliveries).toEqual([
      expect.objectContaining({ channel: "email", status: "delivered" }),
    ]);
    expect(job.events[1]?.alert_id).toBe(job.alerts[0]?.id);

    const hidden = await detail(other.token, id);
    expect(hidden.status).toBe(404);
    expect(hidden.headers.get("content-type")).toBe("application/problem+json");
    expect((await detail(user.token, randomUUID())).status).toBe(404);
    expect((await detail(user.token, "not-a-uuid")).status).toBe(422);
    expect((await detail(SERVICE_KEY, id)).status).toBe(403);
  });

  it("downsamples to ?points=N, keeping the first and last", async () => {
    const user = await makeUser(app);
    const id = await runningJob(user.id, { current_step: 0, loss: 10 });
    await stepThrough(id, 1, 999);
    const full = jobDetailSchema.parse((await detail(user.token, id)).body);
    expect(full.progress).toHaveLength(1000);
    for (const n of [2, 7, 100, 999]) {
      const some = jobDetailSchema.parse(
        (await detail(user.token, id, { points: String(n) })).body,
      );
      expect(some.progress.length).toBeLessThanOrEqual(n);
      expect(some.progress.length).toBeGreaterThanOrEqual(Math.min(n, 2));
      expect(some.progress[0]?.step).toBe(0);
      expect(some.progress.at(-1)?.step).toBe(999);
      expect(some.progress_count).toBe(1000);
    }
    expect((await detail(user.token, id, { points: "1" })).status).toBe(422);
    expect((await detail(user.token, id, { points: "2001" })).status).toBe(422);
  });
});
