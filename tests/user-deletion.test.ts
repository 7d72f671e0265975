import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postEvent } from "@/app/api/alerts/events/route";
import { PUT as putPrefs } from "@/app/api/alerts/preferences/route";
import { POST as createWebhook } from "@/app/api/alerts/webhooks/route";
import { PUT as putJob } from "@/app/api/training/jobs/[id]/route";
import {
  call,
  makeUser,
  SERVICE_KEY,
  startTestApp,
  type TestApp,
  type TestUser,
} from "./helpers/app";
import { manualEngine } from "./helpers/engine";
import { startReceiver } from "./helpers/receiver";

/*
 * Deleting an auth.users row (Supabase's "delete user", or ours standalone)
 * removes every row of the user's, in every table that has a user_id — found
 * in the catalog, so tables added later are held to it too.
 */

let app: TestApp;
let engine: Awaited<ReturnType<typeof manualEngine>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  app = await startTestApp({
    ALERTS_WEBHOOK_ALLOW_HTTP: "true",
    ALERTS_WEBHOOK_ALLOWED_CIDRS: "127.0.0.0/8",
  });
  engine = await manualEngine(app);
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await engine?.stop();
  await app?.close();
});

/** Everything a user can come to own: preferences, a webhook, a job, events, alerts, deliveries, dedupe claims, a report run. */
async function userWithEverything(): Promise<TestUser> {
  const user = await makeUser(app);
  expect(
    (await call(putPrefs, "PUT", "/api/alerts/preferences", { token: user.token, body: {} }))
      .status,
  ).toBe(200);
  const hook = await call(createWebhook, "POST", "/api/alerts/webhooks", {
    token: user.token,
    body: {
      name: "receiver",
      url: `${receiver.url}/hook`,
      webhook_type: "generic",
      secret: "generate",
    },
  });
  expect(hook.status).toBe(201);
  const jobId = randomUUID();
  const job = await call(putJob, "PUT", `/api/training/jobs/${jobId}`, {
    token: SERVICE_KEY,
    params: { id: jobId },
    body: { user_id: user.id, model_name: "m", status: "running", current_step: 10, loss: 1.5 },
  });
  expect(job.status).toBeLessThan(300);
  await call(putJob, "PUT", `/api/training/jobs/${jobId}`, {
    token: SERVICE_KEY,
    params: { id: jobId },
    body: { user_id: user.id, status: "failed", error: "boom" },
  });
  const disk = await call(postEvent, "POST", "/api/alerts/events", {
    token: SERVICE_KEY,
    body: {
      type: "disk_warning",
      user_id: user.id,
      data: { disk_path: "/data", disk_used_percent: 97 },
    },
  });
  expect(disk.status).toBe(202);
  await engine.drain();
  await app.ctx.db.query(
    `insert into report_runs (key, user_id, kind, local_date, timezone, due_at, period_start, period_end, status)
     values ($1, $2, 'daily', '2026-03-01', 'UTC', now(), now() - interval '1 day', now(), 'skipped')`,
    [`daily:${user.id}:2026-03-01`, user.id],
  );
  return user;
}

/** Rows of `userId` in each table of the public schema that has a user_id column. */
async function rowsOf(userId: string): Promise<Record<string, number>> {
  const { rows: tables } = await app.ctx.db.query<{ table_name: string }>(
    `select c.table_name from information_schema.columns c
     join information_schema.tables t using (table_schema, table_name)
     where c.table_schema = 'public' and c.column_name = 'user_id' and t.table_type = 'BASE TABLE'
     order by c.table_name`,
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of tables) {
    const { rows } = await app.ctx.db.query<{ n: string }>(
      `select count(*) as n from public.${table_name} where user_id = $1`,
      [userId],
    );
    counts[table_name] = Number(rows[0]?.n);
  }
  return counts;
}

describe("deleting a user", () => {
  it("leaves no row of theirs in any table, and the other users' rows alone", async () => {
    const gone = await userWithEverything();
    const stays = await userWithEverything();
    const before = await rowsOf(gone.id);
    // The fixture reaches every table the test knows of (a new table with a
    // user_id is checked below whether or not it is filled here).
    for (const table of [
      "alert_deliveries",
      "alert_dedupe",
      "alert_events",
      "alert_history",
      "report_runs",
      "training_job_progress",
      "training_jobs",
      "user_alert_preferences",
      "user_webhooks",
    ]) {
      expect(before[table], table).toBeGreaterThan(0);
    }

    await app.ctx.db.query("delete from auth.users where id = $1", [gone.id]);

    const after = await rowsOf(gone.id);
    expect(Object.entries(after).filter(([, n]) => n > 0)).toEqual([]);
    const kept = await rowsOf(stays.id);
    expect(kept.alert_history).toBe(before.alert_history);
    expect(kept.alert_events).toBe(before.alert_events);
    expect(kept.alert_deliveries).toBe(before.alert_deliveries);
  });

  it("provisions a user first seen in an event with the event, so the inbox can reference auth.users", async () => {
    const stranger = randomUUID();
    const res = await call(postEvent, "POST", "/api/alerts/events", {
      token: SERVICE_KEY,
      body: { type: "job_started", user_id: stranger, job_id: randomUUID() },
    });
    expect(res.status).toBe(202);
    const { rows } = await app.ctx.db.query("select 1 from auth.users where id = $1", [stranger]);
    expect(rows).toHaveLength(1);
  });
});
