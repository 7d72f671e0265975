import { type ParsedMail, simpleParser } from "mailparser";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { PUT as putPrefs } from "@/app/api/alerts/preferences/route";
import { scheduleDueReports } from "@/lib/alerts/report.service";
import type { ReportData } from "@/lib/alerts/templates/report-data";
import { SAMPLE_TRACEBACK } from "@/lib/alerts/templates/samples";
import { startWorker } from "@/lib/engine/worker";
import { QUEUE, REPORT_TICK_CRON } from "@/lib/queue/queue";
import {
  call,
  makeUngroupedUser,
  SERVICE_KEY,
  startTestApp,
  type TestApp,
  type TestUser,
} from "./helpers/app";
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
// Every tick looks at every user: switch the reports of finished tests off.
afterEach(async () => {
  await app.ctx.db.query(
    "update user_alert_preferences set daily_summary_enabled = false, weekly_digest_enabled = false",
  );
});

const T = (iso: string) => new Date(iso);
const MINUTE = 60_000;
// Job alerts are off unless a test is about them: report emails are what is counted.
const QUIET_JOBS = { alert_job_completed: false, alert_job_failed: false };

async function reportUser(prefs: Record<string, unknown>): Promise<TestUser> {
  const user = await makeUngroupedUser(app);
  const res = await call(putPrefs, "PUT", "/api/alerts/preferences", {
    token: user.token,
    body: prefs,
  });
  expect(res.status).toBe(200);
  return user;
}

interface JobRow {
  model?: string;
  status: "running" | "completed" | "failed" | "cancelled";
  started?: string;
  finished?: string;
  loss?: number;
  gpus?: number;
  error?: string;
}

async function job(user: TestUser, j: JobRow): Promise<string> {
  const { rows } = await app.ctx.db.query<{ id: string }>(
    `insert into training_jobs (user_id, model_name, status, started_at, finished_at, loss, gpu_count, error)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning id`,
    [
      user.id,
      j.model ?? "model",
      j.status,
      j.started ?? null,
      j.finished ?? null,
      j.loss ?? null,
      j.gpus ?? 1,
      j.error ?? null,
    ],
  );
  return rows[0]?.id ?? "";
}

/** Ticks at each instant from `from` (inclusive) to `to` (exclusive), answering the instants that claimed something. */
async function tickEvery(from: Date, to: Date, stepMs: number): Promise<Date[]> {
  const claimedAt: Date[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += stepMs) {
    const now = new Date(t);
    app.setNow(now);
    const result = await scheduleDueReports(engine.deps, now);
    if (result.claimed > 0) claimedAt.push(now);
  }
  return claimedAt;
}

interface RunRow {
  key: string;
  kind: string;
  local_date: string;
  due_at: Date;
  period_start: Date;
  period_end: Date;
  status: string;
  alert_id: string | null;
}

async function runsOf(user: TestUser): Promise<RunRow[]> {
  const { rows } = await app.ctx.db.query<RunRow>(
    `select key, kind, to_char(local_date, 'YYYY-MM-DD') as local_date, due_at, period_start,
            period_end, status, alert_id
     from report_runs where user_id = $1 order by due_at`,
    [user.id],
  );
  return rows;
}

async function reportAlerts(user: TestUser) {
  const { rows } = await app.ctx.db.query<{
    id: string;
    alert_type: string;
    status: string;
    data: ReportData;
    title: string;
  }>(
    `select id, alert_type, status, data, title from alert_history
     where user_id = $1 and alert_type in ('daily_summary', 'weekly_digest') order by created_at`,
    [user.id],
  );
  return rows;
}

/** The report emails the SMTP server received for the user, parsed. */
async function reportMails(user: TestUser): Promise<ParsedMail[]> {
  const parsed = await Promise.all(
    engine.mails.filter((m) => m.to.includes(user.email)).map((m) => simpleParser(m.raw)),
  );
  return parsed.filter((m) => /^(📊|📈)/u.test(m.subject ?? ""));
}

describe("the daily summary's schedule", () => {
  it("goes to a user in Asia/Kathmandu (UTC+5:45) once, at 09:00 their time", async () => {
    const user = await reportUser({
      ...QUIET_JOBS,
      daily_summary_enabled: true,
      daily_summary_time: "09:00",
      timezone: "Asia/Kathmandu",
    });
    await job(user, {
      status: "completed",
      started: "2026-03-09T10:00:00Z",
      finished: "2026-03-09T12:00:00Z",
      loss: 0.3,
    });

    // 09:00 in Kathmandu is 03:15 UTC; tick every minute around it.
    const claimed = await tickEvery(T("2026-03-10T02:30:00Z"), T("2026-03-10T04:30:00Z"), MINUTE);
    expect(claimed).toEqual([T("2026-03-10T03:15:00Z")]);
    // Later the same day, and up to a minute before the next one: nothing more.
    expect(
      await tickEvery(T("2026-03-10T18:00:00Z"), T("2026-03-11T03:15:00Z"), 15 * MINUTE),
    ).toEqual([]);

    const [run, ...more] = await runsOf(user);
    expect(more).toEqual([]);
    expect(run).toMatchObject({
      key: `daily:${user.id}:2026-03-10`,
      status: "alerted",
      due_at: T("2026-03-10T03:15:00Z"),
      period_start: T("2026-03-09T03:15:00Z"),
      period_end: T("2026-03-10T03:15:00Z"),
    });

    await engine.drain();
    const mails = await reportMails(user);
    expect(mails.map((m) => m.subject)).toEqual(["📊 Training summary Tue 10 Mar: 1 completed"]);
    expect(mails[0]?.text).toContain("Mon 9 Mar 09:00 – Tue 10 Mar 09:00 (Asia/Kathmandu)");
    expect((await reportAlerts(user))[0]?.status).toBe("sent");
  });

  it("goes to a user in America/New_York exactly once a day across the March and November 2026 DST changes", async () => {
    // 02:30 does not exist on 8 March (the clock jumps 02:00 → 03:00); 01:30
    // happens twice on 1 November (the clock falls back 02:00 → 01:00).
    const gap = await reportUser({
      ...QUIET_JOBS,
      daily_summary_enabled: true,
      daily_summary_time: "02:30",
      timezone: "America/New_York",
    });
    const overlap = await reportUser({
      ...QUIET_JOBS,
      daily_summary_enabled: true,
      daily_summary_time: "01:30",
      timezone: "America/New_York",
    });
    // A job running through both changes makes every day's report non-empty.
    for (const user of [gap, overlap]) {
      await job(user, { status: "running", started: "2026-03-01T00:00:00Z", gpus: 1 });
    }

    await tickEvery(T("2026-03-06T00:00:00Z"), T("2026-03-11T00:00:00Z"), 15 * MINUTE);
    await tickEvery(T("2026-10-30T00:00:00Z"), T("2026-11-04T00:00:00Z"), 15 * MINUTE);

    const due = async (user: TestUser) =>
      Object.fromEntries((await runsOf(user)).map((r) => [r.local_date, r.due_at.toISOString()]));
    expect(await due(gap)).toEqual({
      "2026-03-06": "2026-03-06T07:30:00.000Z",
      "2026-03-07": "2026-03-07T07:30:00.000Z",
      // 02:30 does not exist: PostgreSQL reads it with the offset before the jump, 03:30 EDT.
      "2026-03-08": "2026-03-08T07:30:00.000Z",
      "2026-03-09": "2026-03-09T06:30:00.000Z",
      "2026-03-10": "2026-03-10T06:30:00.000Z",
      "2026-10-30": "2026-10-30T06:30:00.000Z",
      "2026-10-31": "2026-10-31T06:30:00.000Z",
      "2026-11-01": "2026-11-01T07:30:00.000Z",
      "2026-11-02": "2026-11-02T07:30:00.000Z",
      "2026-11-03": "2026-11-03T07:30:00.000Z",
    });
    expect(await due(overlap)).toEqual({
      "2026-03-06": "2026-03-06T06:30:00.000Z",
      "2026-03-07": "2026-03-07T06:30:00.000Z",
      "2026-03-08": "2026-03-08T06:30:00.000Z",
      "2026-03-09": "2026-03-09T05:30:00.000Z",
      "2026-03-10": "2026-03-10T05:30:00.000Z",
      "2026-10-30": "2026-10-30T05:30:00.000Z",
      "2026-10-31": "2026-10-31T05:30:00.000Z",
      // 01:30 happens twice: once only, at the second (standard-time) reading.
      "2026-11-01": "2026-11-01T06:30:00.000Z",
      "2026-11-02": "2026-11-02T06:30:00.000Z",
      "2026-11-03": "2026-11-03T06:30:00.000Z",
    });

    // Consecutive days' periods meet exactly: 23 hours on the short day, 25 on the long one.
    const hours = (r: RunRow) => (r.period_end.getTime() - r.period_start.getTime()) / 3_600_000;
    const gapRuns = await runsOf(gap);
    expect(gapRuns.map(hours)).toEqual([24, 24, 24, 23, 24, 24, 24, 25, 24, 24]);
    for (let i = 1; i < 5; i++)
      expect(gapRuns[i]?.period_start).toEqual(gapRuns[i - 1]?.period_end);

    await engine.drain();
    expect(await reportMails(gap)).toHaveLength(10);
    expect(await reportMails(overlap)).toHaveLength(10);
    // The running job's training time is clipped to each period: 23 h on the short day.
    const short = (await reportAlerts(gap)).find((a) => a.data.label === "2026-03-09");
    expect(short?.data.totals.training_seconds).toBe(23 * 3600);
  });

  it("sends a report missed during a 3-hour outage once, at the first tick after it", async () => {
    const user = await reportUser({
      ...QUIET_JOBS,
      daily_summary_enabled: true,
      daily_summary_time: "09:00",
      timezone: "UTC",
    });
    await job(user, {
      status: "completed",
      started: "2026-05-04T20:00:00Z",
      finished: "2026-05-04T21:00:00Z",
    });
    expect(await tickEvery(T("2026-05-05T08:50:00Z"), T("2026-05-05T09:00:00Z"), MINUTE)).toEqual(
      [],
    );
    // Down from 09:00 to 12:00: no ticks at all. Then every minute again.
    const claimed = await tickEvery(T("2026-05-05T12:00:00Z"), T("2026-05-05T12:30:00Z"), MINUTE);
    expect(claimed).toEqual([T("2026-05-05T12:00:00Z")]);
    const runs = await runsOf(user);
    expect(runs).toHaveLength(1);
    // Late, but about the period it was due for.
    expect(runs[0]?.period_end).toEqual(T("2026-05-05T09:00:00Z"));
    await engine.drain();
    expect(await reportMails(user)).toHaveLength(1);
  });

  it("does not send a report more than 12 hours late", async () => {
    const user = await reportUser({
      ...QUIET_JOBS,
      daily_summary_enabled: true,
      daily_summary_time: "09:00",
      timezone: "UTC",
    });
    await job(user, {
      status: "completed",
      started: "2026-05-11T20:00:00Z",
      finished: "2026-05-11T21:00:00Z",
    });
    expect(await tickEvery(T("2026-05-12T21:01:00Z"), T("2026-05-12T21:05:00Z"), MINUTE)).toEqual(
      [],
    );
    expect(await runsOf(user)).toEqual([]);
  });

  it("claims a report once when two ticks run at the same moment", async () => {
    const user = await reportUser({
      ...QUIET_JOBS,
      daily_summary_enabled: true,
      daily_summary_time: "09:00",
      timezone: "UTC",
    });
    await job(user, {
      status: "completed",
      started: "2026-05-18T20:00:00Z",
      finished: "2026-05-18T21:00:00Z",
    });
    const now = T("2026-05-19T09:00:00Z");
    app.setNow(now);
    const results = await Promise.all([
      scheduleDueReports(engine.deps, now),
      scheduleDueReports(engine.deps, now),
    ]);
    expect(results.map((r) => r.claimed).sort()).toEqual([0, 1]);
    await engine.drain();
    expect(await reportMails(user)).toHaveLength(1);
  });
});

describe("the weekly digest", () => {
  it("goes only on the chosen weekday, at the daily summary time, with last week beside it", async () => {
    const user = await reportUser({
      ...QUIET_JOBS,
      weekly_digest_enabled: true,
      weekly_digest_day: 3, // Wednesday
      daily_summary_time: "08:00",
      timezone: "Europe/Berlin",
    });
    await job(user, {
      model: "week-model",
      status: "completed",
      started: "2026-02-23T10:00:00Z",
      finished: "2026-02-23T12:00:00Z",
      loss: 0.9,
    });
    await job(user, {
      model: "week-model",
      status: "completed",
      started: "2026-03-02T10:00:00Z",
      finished: "2026-03-02T11:00:00Z",
      loss: 0.7,
    });
    await job(user, {
      model: "week-model",
      status: "failed",
      started: "2026-03-03T10:00:00Z",
      finished: "2026-03-03T10:30:00Z",
      error: "ValueError: bad batch",
    });
    await job(user, {
      model: "week-model",
      status: "completed",
      started: "2026-03-09T10:00:00Z",
      finished: "2026-03-09T11:00:00Z",
      loss: 0.6,
    });

    // Hourly over two weeks, Monday 2 March to Monday 16 March.
    const claimed = await tickEvery(
      T("2026-03-02T00:00:00Z"),
      T("2026-03-16T00:00:00Z"),
      3_600_000,
    );
    // 08:00 in Berlin (CET) is 07:00 UTC, on Wednesdays 4 and 11 March.
    expect(claimed).toEqual([T("2026-03-04T07:00:00Z"), T("2026-03-11T07:00:00Z")]);
    expect((await runsOf(user)).map((r) => [r.key, r.status])).toEqual([
      [`weekly:${user.id}:2026-W10`, "alerted"],
      [`weekly:${user.id}:2026-W11`, "alerted"],
    ]);

    const [digest] = await reportAlerts(user);
    expect(digest?.data.kind).toBe("weekly");
    expect(digest?.data.totals).toMatchObject({ completed: 1, failed: 1, started: 2 });
    expect(digest?.data.previous).toMatchObject({ completed: 1, failed: 0, started: 1 });
    expect(digest?.data.days?.map((d) => [d.date, d.completed, d.failed])).toEqual([
      ["2026-02-25", 0, 0],
      ["2026-02-26", 0, 0],
      ["2026-02-27", 0, 0],
      ["2026-02-28", 0, 0],
      ["2026-03-01", 0, 0],
      ["2026-03-02", 1, 0],
      ["2026-03-03", 0, 1],
    ]);

    await engine.drain();
    // Deliveries run in any order: compare the subjects as a set.
    const mails = await reportMails(user);
    expect(mails.map((m) => m.subject).sort()).toEqual([
      "📈 Training digest, week to Wed 11 Mar: 1 completed",
      "📈 Training digest, week to Wed 4 Mar: 1 completed, 1 failed",
    ]);
    const first = mails.find((m) => m.subject?.includes("Wed 4 Mar"));
    expect(first?.html).toContain("Jobs per day");
    expect(first?.html).toContain("Last week");
    expect(first?.text).toMatch(/^Completed: +1 \(±0\)$/m);
  });
});

describe("the daily summary's content", () => {
  it("gives the numbers of the jobs, incidents and alerts of the 24 hours before it", async () => {
    // Job alerts on (the seed's defaults), so that the summary counts them too.
    const user = await reportUser({
      daily_summary_enabled: true,
      daily_summary_time: "09:00",
      timezone: "UTC",
    });
    const day = (h: string) => `2026-04-13T${h}:00Z`;
    await job(user, {
      model: "llama-8b",
      status: "completed",
      started: day("10:00"),
      finished: day("12:00"),
      loss: 0.5,
      gpus: 4,
    }); // 2 h × 4 GPUs
    await job(user, {
      model: "llama-8b",
      status: "completed",
      started: day("13:00"),
      finished: day("14:30"),
      loss: 0.42,
      gpus: 2,
    }); // 1.5 h × 2
    const failed = await job(user, {
      model: "mistral-7b",
      status: "failed",
      started: day("15:00"),
      finished: day("15:45"),
      gpus: 8,
      error: SAMPLE_TRACEBACK,
    }); // 0.75 h × 8
    await job(user, {
      model: "mistral-7b",
      status: "cancelled",
      started: day("16:00"),
      finished: day("16:30"),
    }); // 0.5 h × 1
    const running = await job(user, {
      model: "qwen-14b",
      status: "running",
      started: "2026-04-14T07:00:00Z",
    }); // 2 h to the summary's time
    await job(user, {
      model: "gpt-small",
      status: "completed",
      started: day("07:00"),
      finished: day("10:00"),
      loss: 1.1,
    }); // started before the period: 1 h of it inside
    await job(user, {
      model: "outside",
      status: "completed",
      started: "2026-04-12T10:00:00Z",
      finished: "2026-04-12T11:00:00Z",
      loss: 0.01,
    }); // the day before: not in this summary

    const event = async (type: string, jobId: string | null, at: string, data = {}) => {
      const res = await call(postEvent, "POST", "/api/alerts/events", {
        token: SERVICE_KEY,
        body: { type, user_id: user.id, job_id: jobId, occurred_at: at, data },
      });
      expect(res.status).toBe(202);
    };
    app.setNow(T(day("18:00")));
    await event("gpu_oom", failed, day("15:40"), { model_name: "mistral-7b" });
    await event("gpu_oom", failed, day("15:41"), { model_name: "mistral-7b" }); // the same OOM
    await event("disk_warning", null, day("16:00"), {
      disk_path: "/mnt/ckpt",
      disk_used_percent: 95,
    });
    await event("disk_warning", null, day("16:05"), { disk_path: "/data", disk_used_percent: 40 }); // below 90%
    await event("timeout_warning", running, "2026-04-14T08:30:00Z", {
      minutes_without_progress: 45,
    });
    // 4 job_completed (the one from the day before included: its alert went
    // out today), 1 job_failed, 1 gpu_oom, 1 disk_warning, 1 timeout_warning.
    await engine.drain();
    // And three alerts the engine held back: one still deferred, two suppressed.
    await app.ctx.db.query(
      `insert into alert_history (user_id, alert_type, title, message, status, deferred_until, created_at)
       values ($1, 'job_completed', 't', 'm', 'deferred', '2026-04-14T12:00:00Z', $2),
              ($1, 'job_completed', 't', 'm', 'suppressed', null, $2),
              ($1, 'job_failed', 't', 'm', 'suppressed', null, $2)`,
      [user.id, day("20:00")],
    );

    expect(await tickEvery(T("2026-04-14T08:58:00Z"), T("2026-04-14T09:02:00Z"), MINUTE)).toEqual([
      T("2026-04-14T09:00:00Z"),
    ]);
    const [alert] = await reportAlerts(user);
    expect(alert?.data.totals).toEqual({
      started: 5,
      completed: 3,
      failed: 1,
      cancelled: 1,
      running: 1,
      training_seconds: 7.75 * 3600,
      gpu_hours: 20.5,
      ooms: 1,
      stalls: 1,
      disk_warnings: 1,
      diverged: 0,
      alerts_sent: 8,
      alerts_deferred: 1,
      alerts_suppressed: 2,
    });
    expect(alert?.data.models).toEqual([
      { model: "llama-8b", runs: 2, best_loss: 0.42, losses: [0.5, 0.42] },
      { model: "gpt-small", runs: 1, best_loss: 1.1, losses: [1.1] },
    ]);

    await engine.drain();
    const [mail, ...others] = await reportMails(user);
    expect(others).toEqual([]);
    expect(mail?.subject).toBe(
      "📊 Training summary Tue 14 Apr: 3 completed, 1 failed, 1 cancelled",
    );
    const text = mail?.text ?? "";
    const line = (label: string, value: string) =>
      expect(text).toMatch(new RegExp(`^${label}: +${value.replace(/[.()]/g, "\\$&")}$`, "m"));
    line("Jobs started", "5");
    line("Completed", "3");
    line("Failed", "1");
    line("Cancelled", "1");
    line("Success rate", "75%");
    line("Still running", "1");
    line("Training time", "7h 45m");
    line("GPU-hours", "20.5");
    line("Best loss", "llama-8b 0.42, gpt-small 1.1");
    line("GPU OOMs", "1");
    line("Stalls", "1");
    line("Disk warnings", "1");
    line("Alerts", "8 sent · 1 deferred · 2 suppressed");
    expect(text).toContain("15:45 mistral-7b: torch.OutOfMemoryError: CUDA out of memory.");
    expect(text).toMatch(/^ {2}llama-8b +0\.42 {2}2 runs {2}█▁$/m);
    expect(text).toContain("/mnt/ckpt 95% full");
    expect(text).not.toContain("outside");

    // The HTML: the same numbers, and pictures made of table cells only.
    const html = typeof mail?.html === "string" ? mail.html : "";
    expect(html).toContain("7h 45m");
    expect(html).toContain("20.5");
    expect(html).toContain("Loss by model");
    expect(html).toContain("torch.OutOfMemoryError: CUDA out of memory.");
    expect(html).not.toMatch(/<svg|<img|url\(/i);
    expect(html.length).toBeLessThan(60_000);
  });

  it("sends nothing for a day without activity, and records that it skipped it", async () => {
    const user = await reportUser({
      ...QUIET_JOBS,
      daily_summary_enabled: true,
      daily_summary_time: "09:00",
      timezone: "UTC",
    });
    await tickEvery(T("2026-06-01T08:59:00Z"), T("2026-06-01T09:02:00Z"), MINUTE);
    expect((await runsOf(user)).map((r) => [r.key, r.status, r.alert_id])).toEqual([
      [`daily:${user.id}:2026-06-01`, "skipped", null],
    ]);
    await engine.drain();
    expect(await reportAlerts(user)).toEqual([]);
    expect(await reportMails(user)).toEqual([]);
  });
});

describe("report delivery", () => {
  const busyDay = async (user: TestUser) =>
    job(user, {
      status: "completed",
      started: "2026-06-07T10:00:00Z",
      finished: "2026-06-07T11:00:00Z",
    });

  it("sends no email when email is off, and records that the user has no channel", async () => {
    const user = await reportUser({
      ...QUIET_JOBS,
      email_enabled: false,
      daily_summary_enabled: true,
      daily_summary_time: "09:00",
      timezone: "UTC",
    });
    await busyDay(user);
    await tickEvery(T("2026-06-08T09:00:00Z"), T("2026-06-08T09:05:00Z"), MINUTE);
    expect((await runsOf(user)).map((r) => r.status)).toEqual(["no_channels"]);
    await engine.drain();
    expect(await reportAlerts(user)).toEqual([]);
    expect(engine.mails.filter((m) => m.to.includes(user.email))).toEqual([]);
  });

  it("records a skipped email delivery for a user with no address", async () => {
    const user = await reportUser({
      ...QUIET_JOBS,
      daily_summary_enabled: true,
      daily_summary_time: "09:00",
      timezone: "UTC",
    });
    await app.ctx.db.query("update auth.users set email = null where id = $1", [user.id]);
    await busyDay(user);
    await tickEvery(T("2026-06-08T09:00:00Z"), T("2026-06-08T09:02:00Z"), MINUTE);
    await engine.drain();
    const [alert] = await reportAlerts(user);
    expect(alert?.status).toBe("skipped");
    const { rows } = await app.ctx.db.query<{
      channel: string;
      status: string;
      last_error: string;
    }>("select channel, status, last_error from alert_deliveries where alert_id = $1", [alert?.id]);
    expect(rows).toEqual([
      {
        channel: "email",
        status: "skipped",
        last_error: "no email address: set email_address in your alert preferences",
      },
    ]);
  });

  it("holds a report that falls in quiet hours until they end", async () => {
    const user = await reportUser({
      ...QUIET_JOBS,
      daily_summary_enabled: true,
      daily_summary_time: "09:00",
      timezone: "UTC",
      quiet_hours_enabled: true,
      quiet_hours_start: "07:00",
      quiet_hours_end: "10:00",
    });
    await busyDay(user);
    await tickEvery(T("2026-06-08T09:00:00Z"), T("2026-06-08T09:02:00Z"), MINUTE);
    await engine.drain();
    expect(await reportMails(user)).toEqual([]);
    expect((await reportAlerts(user))[0]?.status).toBe("deferred");
    app.setNow(T("2026-06-08T10:00:00Z"));
    await engine.drain();
    expect(await reportMails(user)).toHaveLength(1);
    expect((await reportAlerts(user))[0]?.status).toBe("sent");
  });
});

describe("the worker", () => {
  it("schedules the reports tick once a minute with pg-boss cron", async () => {
    const worker = await startWorker(app.ctx, { pollMs: 60_000 });
    try {
      const schedules = await worker.queue.boss.getSchedules();
      expect(schedules.find((s) => s.name === QUEUE.reportTick)?.cron).toBe(REPORT_TICK_CRON);
    } finally {
      await worker.stop(1000);
    }
  });
});
