import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEDUPE_MIN_DAYS, RETENTION_STEPS, runRetention } from "@/lib/alerts/retention";
import { insertEventAndNotify } from "@/lib/alerts/sql/events";
import type { Db } from "@/lib/db/types";
import { createTestDb, type TestDb } from "./helpers/db";

/*
 * Retention against a real database, with the pass's `now` injected: rows
 * are written with timestamps relative to it, as they would have been days
 * ago.
 */

let testDb: TestDb;
let db: Db;
beforeAll(async () => {
  testDb = await createTestDb();
  db = testDb.db;
});
afterAll(() => testDb.drop());

const NOW = new Date("2026-06-01T03:17:00Z");
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 24 * 3600_000);

const one = async (sql: string, params: unknown[]) =>
  (await db.query<{ id: string }>(sql, params)).rows[0]?.id as string;

async function newUser(): Promise<string> {
  const id = randomUUID();
  await db.query("insert into auth.users (id, email) values ($1, $2)", [id, `${id}@example.com`]);
  return id;
}

/** An alert of `at` with one email delivery in `status`, and the processed event that made it. */
async function alertAt(
  userId: string,
  at: Date,
  { status = "delivered", jobId = null }: { status?: string; jobId?: string | null } = {},
) {
  const alert = await one(
    `insert into alert_history (user_id, alert_type, title, message, status, job_id, created_at)
     values ($1, 'job_failed', 'Failed', 'It failed', 'sent', $3, $2) returning id`,
    [userId, at, jobId],
  );
  const delivery = await one(
    `insert into alert_deliveries (alert_id, user_id, channel, status, created_at, updated_at)
     values ($1, $2, 'email', $3, $4, $4) returning id`,
    [alert, userId, status, at],
  );
  const event = await one(
    `insert into alert_events (type, user_id, job_id, occurred_at, received_at, processed_at, outcome, alert_id)
     values ('job_failed', $1, $4, $2, $2, $2, 'alerted', $3) returning id`,
    [userId, at, alert, jobId],
  );
  return { alert, delivery, event };
}

async function dedupeKeyAt(userId: string, key: string, at: Date, expiresAt: Date | null = null) {
  await db.query(
    "insert into alert_dedupe (user_id, key, event_id, claimed_at, expires_at) values ($1, $2, $3, $4, $5)",
    [userId, key, randomUUID(), at, expiresAt],
  );
}

async function reportRunAt(userId: string, at: Date, status: string) {
  const key = `daily:${userId}:${at.toISOString().slice(0, 10)}`;
  await db.query(
    `insert into report_runs (key, user_id, kind, local_date, timezone, due_at, period_start, period_end, status, created_at)
     values ($1, $2, 'daily', $3::date, 'UTC', $3, $3::timestamptz - interval '1 day', $3, $4, $3)`,
    [key, userId, at, status],
  );
  return key;
}

const exists = async (table: string, column: string, value: string) =>
  (await db.query(`select 1 from ${table} where ${column} = $1`, [value])).rows.length === 1;

const count = async (table: string, userId: string) =>
  Number(
    (
      await db.query<{ n: string }>(`select count(*) as n from ${table} where user_id = $1`, [
        userId,
      ])
    ).rows[0]?.n,
  );

describe("the retention pass", () => {
  it("deletes what is older than the setting in batches of at most the batch size, and keeps recent rows", async () => {
    const user = await newUser();
    const old = [];
    for (let i = 0; i < 7; i++) old.push(await alertAt(user, daysAgo(40 + i)));
    const recent = await alertAt(user, daysAgo(29));
    // Still in the engine's hands: an old alert whose delivery is retrying stays, delivery and all.
    const retrying = await alertAt(user, daysAgo(45), { status: "retrying" });
    // An event not yet processed is the inbox's backlog, however old.
    const unprocessed = await one(
      `insert into alert_events (type, user_id, received_at) values ('job_started', $1, $2) returning id`,
      [user, daysAgo(50)],
    );
    // The events of a job still running stay: the stall watch re-inserts a stall's event by its key.
    const jobId = await one(
      "insert into training_jobs (user_id, status) values ($1, 'running') returning id",
      [user],
    );
    const running = await alertAt(user, daysAgo(60), { jobId });
    await dedupeKeyAt(user, "job:old:job_completed", daysAgo(40));
    await dedupeKeyAt(user, "job:recent:job_completed", daysAgo(20));
    const oldRun = await reportRunAt(user, daysAgo(40), "alerted");
    const pendingRun = await reportRunAt(user, daysAgo(41), "pending");
    const recentRun = await reportRunAt(user, daysAgo(2), "skipped");

    // Progress points: a finished job's old points go (and its point count
    // with them), a recent one stays; a running job keeps its whole curve.
    const finishedJob = await one(
      "insert into training_jobs (user_id, status) values ($1, 'completed') returning id",
      [user],
    );
    for (const [step, age] of [
      [1, 60],
      [2, 50],
      [3, 40],
      [4, 10],
    ] as const) {
      await db.query("select training_job_progress_record($1, $2, $3, 0.5, $4, null)", [
        finishedJob,
        user,
        step,
        daysAgo(age),
      ]);
    }
    await db.query("select training_job_progress_record($1, $2, 1, 0.5, $3, null)", [
      jobId,
      user,
      daysAgo(90),
    ]);

    const batches: [string, number][] = [];
    const result = await runRetention(db, NOW, {
      days: 30,
      batchSize: 3,
      onBatch: (step, deleted) => batches.push([step, deleted]),
    });

    // 8 old deliveries go 3 + 3 + 2; every batch stays within its bound.
    expect(batches.filter(([step]) => step === "deliveries").map(([, n]) => n)).toEqual([3, 3, 2]);
    expect(batches.every(([, n]) => n <= 3)).toBe(true);
    expect(result.deleted).toEqual({
      deliveries: 8, // the 7 old ones and the running job's (its alert is done)
      events: 8, // the 7 old ones and the retrying alert's (processed long ago)
      history: 8,
      group_batches: 0,
      groups: 0,
      group_sweeps: 0,
      progress_points: 3,
      report_runs: 1,
      dedupe_keys: 1,
    });
    expect(result.batches).toBe(batches.length);

    for (const row of old) {
      expect(await exists("alert_history", "id", row.alert)).toBe(false);
      expect(await exists("alert_deliveries", "id", row.delivery)).toBe(false);
      expect(await exists("alert_events", "id", row.event)).toBe(false);
    }
    for (const row of [recent, retrying]) {
      expect(await exists("alert_history", "id", row.alert)).toBe(true);
      expect(await exists("alert_deliveries", "id", row.delivery)).toBe(true);
    }
    expect(await exists("alert_events", "id", recent.event)).toBe(true);
    expect(await exists("alert_events", "id", unprocessed)).toBe(true);
    expect(await exists("alert_events", "id", running.event)).toBe(true);
    expect(await exists("alert_dedupe", "key", "job:old:job_completed")).toBe(false);
    expect(await exists("alert_dedupe", "key", "job:recent:job_completed")).toBe(true);
    expect(await exists("report_runs", "key", oldRun)).toBe(false);
    expect(await exists("report_runs", "key", pendingRun)).toBe(true);
    expect(await exists("report_runs", "key", recentRun)).toBe(true);
    const points = await db.query<{ job_id: string; step: number }>(
      "select job_id, step from training_job_progress where user_id = $1 order by job_id = $2, step",
      [user, jobId],
    );
    expect(points.rows.map((r) => [r.job_id, r.step])).toEqual([
      [finishedJob, 4],
      [jobId, 1],
    ]);
    const counts = await db.query<{ points: number }>(
      "select points from training_job_progress_counts where job_id = $1",
      [finishedJob],
    );
    expect(counts.rows[0]?.points).toBe(1);

    // A second pass finds nothing left to do.
    const again = await runRetention(db, NOW, { days: 30, batchSize: 3 });
    expect(Object.values(again.deleted).every((n) => n === 0)).toBe(true);
    expect(again.batches).toBe(RETENTION_STEPS.length);
  });

  it(`keeps dedupe keys and inbox events at least ${DEDUPE_MIN_DAYS} days, whatever the setting`, async () => {
    const user = await newUser();
    const threeDays = await alertAt(user, daysAgo(3));
    const eightDays = await alertAt(user, daysAgo(DEDUPE_MIN_DAYS + 1));
    await dedupeKeyAt(user, "oom:three-days", daysAgo(3));
    await dedupeKeyAt(user, "oom:eight-days", daysAgo(DEDUPE_MIN_DAYS + 1));
    // An expired claim (disk_warning's 6 hours) that is still young is kept as well.
    await dedupeKeyAt(user, "disk:/young", daysAgo(3), daysAgo(2.75));
    const threeDayRun = await reportRunAt(user, daysAgo(3), "alerted");

    await runRetention(db, NOW, { days: 1 });

    // History and deliveries go after the one day the setting asks for...
    expect(await exists("alert_history", "id", threeDays.alert)).toBe(false);
    expect(await exists("alert_deliveries", "id", threeDays.delivery)).toBe(false);
    // ...but what makes a repeat a repeat stays for the dedupe window.
    expect(await exists("alert_events", "id", threeDays.event)).toBe(true);
    expect(await exists("alert_dedupe", "key", "oom:three-days")).toBe(true);
    expect(await exists("alert_dedupe", "key", "disk:/young")).toBe(true);
    expect(await exists("report_runs", "key", threeDayRun)).toBe(true);
    expect(await exists("alert_events", "id", eightDays.event)).toBe(false);
    expect(await exists("alert_dedupe", "key", "oom:eight-days")).toBe(false);

    // So a producer retrying with the same event_id within the window is one event;
    // past it, the id is new again (README, Retention).
    const resend = (id: string) =>
      insertEventAndNotify(
        db,
        {
          id,
          idempotencyKey: null,
          type: "job_failed",
          userId: user,
          jobId: null,
          occurredAt: NOW,
          data: {},
          source: "api",
          receivedAt: NOW,
        },
        "retention_test",
      );
    expect(await resend(threeDays.event)).toEqual({ id: threeDays.event, duplicate: true });
    expect(await resend(eightDays.event)).toEqual({ id: eightDays.event, duplicate: false });
  });

  it("deletes closed group batches, group windows and sweep marks once nothing refers to them, in bounded batches, never an open batch", async () => {
    const user = await newUser();
    /** A batch of `members` alerts at `at`, with its group message; statuses as given. */
    const batchAt = async (
      at: Date,
      o: { closed: boolean; message: string; member: string; members?: number },
    ) => {
      const message = await one(
        `insert into alert_history (user_id, alert_type, title, message, status, created_at)
         values ($1, 'alert_group', 'Group', 'm', 'sent', $2) returning id`,
        [user, at],
      );
      const batch = await one(
        `insert into alert_group_batches (user_id, group_key, channel, alert_type, opened_at,
                                          release_at, closed_at, member_count, message_alert_id)
         values ($1, $2, 'email', 'job_failed', $3, $3, $4, $5, $6) returning id`,
        [user, `k-${randomUUID()}`, at, o.closed ? at : null, o.members ?? 2, message],
      );
      await db.query("update alert_history set group_batch_id = $2 where id = $1", [
        message,
        batch,
      ]);
      await db.query(
        `insert into alert_deliveries (alert_id, user_id, channel, status, created_at, updated_at)
         values ($1, $2, 'email', $3, $4, $4)`,
        [message, user, o.message, at],
      );
      const members: { alert: string; delivery: string }[] = [];
      for (let i = 0; i < (o.members ?? 2); i++) {
        const { alert, delivery } = await alertAt(user, at, { status: o.member });
        await db.query("update alert_deliveries set group_batch_id = $2 where id = $1", [
          delivery,
          batch,
        ]);
        members.push({ alert, delivery });
      }
      return { batch, message, members };
    };
    const sent = [];
    for (let i = 0; i < 4; i++) {
      sent.push(
        await batchAt(daysAgo(40 + i), { closed: true, message: "delivered", member: "delivered" }),
      );
    }
    // Members waiting in an open batch, however old (quiet hours, a long window).
    const open = await batchAt(daysAgo(41), {
      closed: false,
      message: "pending",
      member: "grouped",
    });
    // A closed batch whose message is still being retried: its members wait with it.
    const retrying = await batchAt(daysAgo(42), {
      closed: true,
      message: "retrying",
      member: "grouped",
    });
    const recent = await batchAt(daysAgo(2), {
      closed: true,
      message: "delivered",
      member: "delivered",
    });

    for (const [key, age] of [
      ["old-1", 40],
      ["old-2", 41],
      ["old-3", 42],
      ["old-4", 43],
      ["recent", 1],
    ] as const) {
      await db.query(
        "insert into alert_groups (user_id, group_key, last_message_at) values ($1, $2, $3)",
        [user, key, daysAgo(age)],
      );
    }
    // A label whose jobs are gone loses its sweep mark; one that still has a job keeps it.
    await one(
      `insert into training_jobs (user_id, status, metadata) values ($1, 'completed', '{"group": "kept"}')
       returning id`,
      [user],
    );
    for (const label of ["gone", "kept"]) {
      await db.query(
        `insert into alert_group_sweeps (user_id, group_label, summarized_until, updated_at)
         values ($1, $2, $3, $3)`,
        [user, label, daysAgo(40)],
      );
    }

    const batches: [string, number][] = [];
    const result = await runRetention(db, NOW, {
      days: 30,
      batchSize: 3,
      onBatch: (step, deleted) => batches.push([step, deleted]),
    });

    expect(batches.every(([, n]) => n <= 3)).toBe(true);
    expect(batches.filter(([step]) => step === "group_batches").map(([, n]) => n)).toEqual([3, 1]);
    expect(result.deleted).toMatchObject({ group_batches: 4, groups: 4, group_sweeps: 1 });
    for (const b of sent) {
      expect(await exists("alert_group_batches", "id", b.batch)).toBe(false);
      expect(await exists("alert_history", "id", b.message)).toBe(false);
      for (const m of b.members) expect(await exists("alert_history", "id", m.alert)).toBe(false);
    }
    for (const b of [open, retrying, recent]) {
      expect(await exists("alert_group_batches", "id", b.batch)).toBe(true);
      expect(await exists("alert_history", "id", b.message)).toBe(true);
      for (const m of b.members) {
        expect(await exists("alert_history", "id", m.alert)).toBe(true);
        expect(await exists("alert_deliveries", "id", m.delivery)).toBe(true);
      }
    }
    // The waiting members still name their batch.
    const waiting = await db.query<{ n: number }>(
      "select count(*)::int as n from alert_deliveries where group_batch_id = any($1::uuid[]) and status = 'grouped'",
      [[open.batch, retrying.batch]],
    );
    expect(waiting.rows[0]?.n).toBe(4);
    const groups = await db.query<{ group_key: string }>(
      "select group_key from alert_groups where user_id = $1",
      [user],
    );
    expect(groups.rows.map((r) => r.group_key)).toEqual(["recent"]);
    const sweeps = await db.query<{ group_label: string }>(
      "select group_label from alert_group_sweeps where user_id = $1",
      [user],
    );
    expect(sweeps.rows.map((r) => r.group_label)).toEqual(["kept"]);
  });

  it("keeps everything when the setting is 0", async () => {
    const user = await newUser();
    const ancient = await alertAt(user, daysAgo(3650));
    await dedupeKeyAt(user, "job:ancient:job_started", daysAgo(3650));
    const result = await runRetention(db, NOW, { days: 0 });
    expect(result).toEqual({ deleted: {}, batches: 0 });
    expect(await count("alert_history", user)).toBe(1);
    expect(await exists("alert_events", "id", ancient.event)).toBe(true);
    expect(await exists("alert_dedupe", "key", "job:ancient:job_started")).toBe(true);
  });
});
