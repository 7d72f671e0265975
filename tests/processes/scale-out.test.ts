import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WAKE_CHANNEL } from "@/lib/queue/queue";
import type { TestApp } from "../helpers/app";
import { startReceiver } from "../helpers/receiver";
import { waitUntil } from "../helpers/wait";
import { killAllWorkers, spawnWorker, type WorkerProcess } from "../helpers/worker-process";
import { deliveries, settled, startProcessApp, userWithWebhook, webhookIdOf } from "./support";

// The README's scale-out topology: web processes with ALERTS_WORKER=off (here
// the test process, calling the route handlers), and standalone workers on
// one PostgreSQL database.
let app: TestApp;
let databaseUrl: string;
beforeAll(async () => {
  ({ app, databaseUrl } = await startProcessApp());
});
afterAll(async () => {
  await killAllWorkers();
  await app?.close();
});

const WORKERS = 3;
const USERS = 100;
const ALERTS = 5000;

/** Deliveries a worker says it completed, from its "delivery batch" log lines. */
function deliveredBy(worker: WorkerProcess): number {
  return worker
    .logs()
    .filter((l) => l.msg === "delivery batch")
    .reduce((sum, l) => sum + Number(l.delivered ?? 0), 0);
}

describe("one web process and three standalone workers on one PostgreSQL database", () => {
  it("deliver 5,000 alerts, each exactly once, and every worker takes part", async () => {
    const receiver = await startReceiver();
    const users: string[] = [];
    for (let i = 0; i < USERS; i++) {
      users.push((await userWithWebhook(app, `${receiver.url}/hook/${i}`)).user.id);
    }
    const workers = await Promise.all(
      Array.from({ length: WORKERS }, () => spawnWorker(databaseUrl, { LOG_LEVEL: "info" })),
    );

    // A burst as the events route stores it, then one wake-up, as its commit sends.
    const userIds = Array.from({ length: ALERTS }, (_, i) => users[i % USERS]);
    await app.ctx.db.transaction(async (tx) => {
      await tx.query(
        `insert into alert_events (type, user_id, job_id, data, source)
         select 'job_started', u, gen_random_uuid(), '{"model_name": "m"}'::jsonb, 'api'
         from unnest($1::uuid[]) as u`,
        [userIds],
      );
      await tx.query("select pg_notify($1, 'inbox')", [WAKE_CHANNEL]);
    });

    await receiver.waitFor(ALERTS, 240_000);
    await waitUntil("the workers to settle", () => settled(app), { timeoutMs: 60_000 });

    const { rows: outcomes } = await app.ctx.db.query<{ outcome: string; n: string }>(
      "select outcome, count(*) as n from alert_events group by outcome",
    );
    expect(outcomes.map((r) => [r.outcome, Number(r.n)])).toEqual([["alerted", ALERTS]]);

    // Every delivery row delivered at its first attempt.
    const rows = await deliveries(app);
    expect(rows).toHaveLength(ALERTS);
    expect(rows.filter((d) => d.status !== "delivered" || d.attempts !== 1)).toEqual([]);

    // Exactly once at the receiver: 5,000 requests, 5,000 distinct webhook-ids, one per row.
    expect(receiver.requests).toHaveLength(ALERTS);
    const ids = new Set(receiver.requests.map((r) => String(r.headers["webhook-id"])));
    expect(ids.size).toBe(ALERTS);
    for (const d of rows) expect(ids.has(webhookIdOf(d.id))).toBe(true);

    // All three took part, and their logs account for every delivery.
    const shares = workers.map(deliveredBy);
    for (const share of shares) expect(share).toBeGreaterThan(0);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(ALERTS);

    for (const w of workers) expect(await w.signal("SIGTERM")).toEqual({ code: 0, signal: null });
    await receiver.close();
  });
});
