import { randomUUID } from "node:crypto";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PUT as putPrefs } from "@/app/api/alerts/preferences/route";
import { raiseFinishedSweeps } from "@/lib/alerts/triggers/group-completed.trigger";
import { call, makeUser, startTestApp, type TestApp, type TestUser } from "./helpers/app";
import { manualEngine } from "./helpers/engine";

/**
 * The sweep summary end to end: jobs carrying a group label finish, the
 * sweep raises one `group_completed` event per finished burst, and the
 * engine turns it into one alert that reaches the user's email with the
 * burst's numbers.
 */

let app: TestApp;
let engine: Awaited<ReturnType<typeof manualEngine>>;
beforeAll(async () => {
  app = await startTestApp();
  engine = await manualEngine(app);
});
afterAll(async () => {
  await engine.stop();
  await app.close();
});

const T0 = Date.parse("2026-03-02T10:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

/** A user whose job alerts are off: the summaries are what is counted. */
async function sweepUser(prefs: Record<string, unknown> = {}): Promise<TestUser> {
  const user = await makeUser(app);
  const res = await call(putPrefs, "PUT", "/api/alerts/preferences", {
    token: user.token,
    body: {
      alert_job_completed: false,
      alert_job_failed: false,
      alert_job_cancelled: false,
      ...prefs,
    },
  });
  expect(res.status).toBe(200);
  return user;
}

interface Job {
  status: "running" | "completed" | "failed" | "cancelled" | "queued";
  model: string;
  loss?: number;
  error?: string;
  /** Minutes after T0. */
  started: number;
  finished?: number;
  gpus?: number;
  group?: string;
}

async function insertJobs(user: TestUser, jobs: Job[]): Promise<string[]> {
  const ids = jobs.map(() => randomUUID());
  await app.ctx.db.query(
    `insert into training_jobs
       (id, user_id, model_name, status, loss, error, gpu_count, metadata, started_at, finished_at, created_at)
     select j.id, $1, j.model, j.status, j.loss, j.error, j.gpus,
            jsonb_build_object('group', j.grp), j.started, j.finished, j.started
     from unnest($2::uuid[], $3::text[], $4::text[], $5::float8[], $6::text[], $7::int[],
                 $8::text[], $9::timestamptz[], $10::timestamptz[])
       as j(id, model, status, loss, error, gpus, grp, started, finished)`,
    [
      user.id,
      ids,
      jobs.map((j) => j.model),
      jobs.map((j) => j.status),
      jobs.map((j) => j.loss ?? null),
      jobs.map((j) => j.error ?? null),
      jobs.map((j) => j.gpus ?? 1),
      jobs.map((j) => j.group ?? "lr-search"),
      jobs.map((j) => at(j.started)),
      jobs.map((j) => (j.finished === undefined ? null : at(j.finished))),
    ],
  );
  return ids;
}

/** 15 completed (losses 0.50 down to 0.36), 5 failed (4 OOM, 1 NCCL); each 30 min on 2 GPUs. */
const sweep20 = (group = "lr-search"): Job[] =>
  Array.from({ length: 20 }, (_, i) => ({
    status: i < 15 ? "completed" : "failed",
    model: `mistral-7b-lr-${i}`,
    loss: i < 15 ? 0.5 - i * 0.01 : 7,
    error:
      i < 15
        ? undefined
        : i === 19
          ? "RuntimeError: NCCL error in: ProcessGroupNCCL.cpp:1191"
          : `torch.OutOfMemoryError: CUDA out of memory. Tried to allocate ${i}.00 GiB.`,
    started: i * 0.1,
    finished: 30 + i * 0.1,
    gpus: 2,
    group,
  }));

async function summaryMails(user: TestUser) {
  const parsed = await Promise.all(
    engine.mails.filter((m) => m.to.includes(user.email)).map((m) => simpleParser(m.raw)),
  );
  return parsed.filter((m) => (m.subject ?? "").startsWith("🏁"));
}

async function summaryEvents(user: TestUser) {
  const { rows } = await app.ctx.db.query<{ data: Record<string, unknown>; source: string }>(
    `select data, source from alert_events
     where user_id = $1 and type = 'group_completed' order by received_at`,
    [user.id],
  );
  return rows;
}

describe("group_completed (the sweep summary)", () => {
  it("sends exactly one summary for a sweep of 20 jobs (15 completed, 5 failed), with the right numbers", async () => {
    const user = await sweepUser();
    const ids = await insertJobs(user, sweep20());

    // The last job started at 10:01:54; nothing is summarised within its 60-second window.
    app.setNow(at(1.9));
    expect(await raiseFinishedSweeps(app.ctx.db, app.ctx.clock())).toBe(0);
    app.setNow(at(2.85));
    expect(await raiseFinishedSweeps(app.ctx.db, app.ctx.clock())).toBe(0);

    app.setNow(at(2.9));
    expect(await raiseFinishedSweeps(app.ctx.db, app.ctx.clock())).toBe(1);
    // Repeated sweeps (every worker runs one) raise nothing more.
    expect(await raiseFinishedSweeps(app.ctx.db, app.ctx.clock())).toBe(0);
    app.setNow(at(90));
    expect(await raiseFinishedSweeps(app.ctx.db, app.ctx.clock())).toBe(0);

    const events = await summaryEvents(user);
    expect(events).toHaveLength(1);
    expect(events[0]?.source).toBe("monitor");
    expect(events[0]?.data).toMatchObject({
      group: "lr-search",
      jobs: 20,
      completed: 15,
      failed: 5,
      cancelled: 0,
      top_failure_reason: "torch.OutOfMemoryError: CUDA out of memory.",
      top_failure_count: 4,
      best_final_loss: 0.36,
      best_job_id: ids[14],
      best_model_name: "mistral-7b-lr-14",
      gpu_hours: 20,
    });

    await engine.drain();
    const mails = await summaryMails(user);
    expect(mails.map((m) => m.subject)).toEqual(["🏁 Sweep finished: lr-search"]);
    const text = mails[0]?.text ?? "";
    expect(text).toContain("Sweep lr-search finished: 15 completed, 5 failed, 0 cancelled.");
    expect(text).toMatch(
      /^Most Common Failure: +torch\.OutOfMemoryError: CUDA out of memory\. \(4×\)$/m,
    );
    expect(text).toMatch(/^Best Final Loss: +0\.36 \(mistral-7b-lr-14\)$/m);
    expect(text).toMatch(/^GPU-Hours: +20$/m);
    expect(text).toContain("/alerts/history?group=lr-search");

    // The alert carries the label, so the history's group filter finds it.
    const { rows } = await app.ctx.db.query<{ alert_type: string; group_label: string }>(
      "select alert_type, group_label from alert_history where user_id = $1",
      [user.id],
    );
    expect(rows).toEqual([{ alert_type: "group_completed", group_label: "lr-search" }]);
  });

  it("waits while any job of the group still runs or waits to start", async () => {
    const user = await sweepUser();
    await insertJobs(user, [
      ...sweep20("bs-search").slice(0, 5),
      { status: "running", model: "late", started: 1, group: "bs-search" },
    ]);
    app.setNow(at(120));
    expect(await raiseFinishedSweeps(app.ctx.db, app.ctx.clock())).toBe(0);
    await app.ctx.db.query(
      "update training_jobs set status = 'queued' where user_id = $1 and model_name = 'late'",
      [user.id],
    );
    expect(await raiseFinishedSweeps(app.ctx.db, app.ctx.clock())).toBe(0);
    expect(await summaryEvents(user)).toEqual([]);
  });

  it("summarises each finished burst once, the second covering only its own jobs", async () => {
    const user = await sweepUser();
    await insertJobs(user, sweep20().slice(0, 3));
    app.setNow(at(60));
    expect(await raiseFinishedSweeps(app.ctx.db, app.ctx.clock())).toBe(1);

    // A second burst of the same label, two hours later: 2 jobs, one cancelled.
    await insertJobs(user, [
      { status: "completed", model: "again-1", loss: 0.2, started: 120, finished: 150 },
      { status: "cancelled", model: "again-2", started: 120.5, finished: 130 },
    ]);
    app.setNow(at(121));
    expect(await raiseFinishedSweeps(app.ctx.db, app.ctx.clock())).toBe(0);
    app.setNow(at(151));
    expect(await raiseFinishedSweeps(app.ctx.db, app.ctx.clock())).toBe(1);
    expect(await raiseFinishedSweeps(app.ctx.db, app.ctx.clock())).toBe(0);

    const events = await summaryEvents(user);
    expect(events.map((e) => [e.data.jobs, e.data.completed, e.data.cancelled])).toEqual([
      [3, 3, 0],
      [2, 1, 1],
    ]);
    expect(events[1]?.data).toMatchObject({ best_final_loss: 0.2, best_model_name: "again-1" });
  });

  it("uses the user's own window, and sends nothing when the summary is switched off", async () => {
    const user = await sweepUser({ group_window_seconds: 600, alert_group_completed: false });
    await insertJobs(user, sweep20("wd-search").slice(0, 2));
    // Started at 10:00.1; a 10-minute window ends at 10:10.1.
    app.setNow(at(10));
    expect(await raiseFinishedSweeps(app.ctx.db, app.ctx.clock())).toBe(0);
    app.setNow(at(31));
    expect(await raiseFinishedSweeps(app.ctx.db, app.ctx.clock())).toBe(1);
    await engine.drain();
    expect(await summaryMails(user)).toEqual([]);
  });

  it("does not summarise bursts that ended more than a day ago", async () => {
    const user = await sweepUser();
    await insertJobs(user, sweep20("old-search").slice(0, 2));
    app.setNow(at(60 * 25));
    expect(await raiseFinishedSweeps(app.ctx.db, app.ctx.clock())).toBe(0);
  });
});
