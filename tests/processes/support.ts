import { expect } from "vitest";
import type { Queryable } from "@/lib/db/types";
import { startTestApp, type TestApp } from "../helpers/app";
import { userWithWebhook as webhookFixture } from "../helpers/fixtures";
import type { ReceivedRequest } from "../helpers/receiver";
import { waitUntil } from "../helpers/wait";
import { requirePostgres, sharedEnv, spawnWorker } from "../helpers/worker-process";

export { postJobStarted } from "../helpers/fixtures";

/**
 * The test process plays the web server (route handlers called directly) on
 * a fresh PostgreSQL database; workers run as child processes on the same one.
 */
export async function startProcessApp(): Promise<{ app: TestApp; databaseUrl: string }> {
  requirePostgres();
  const app = await startTestApp(sharedEnv());
  // Webhook timestamps and rate-limit windows are the workers' real time.
  app.setNow(new Date());
  const databaseUrl = app.testDb.url;
  if (!databaseUrl) throw new Error("the test database has no URL: is TEST_DATABASE_URL set?");
  return { app, databaseUrl };
}

/**
 * A user whose one generic webhook, signed, takes every job_started alert.
 * Ungrouped (window 0): the process and fault suites count each alert's own
 * delivery to one webhook, which grouping would batch into group messages.
 */
export const userWithWebhook = (app: TestApp, url: string) =>
  webhookFixture(app, url, { secret: "generate" }, { ungrouped: true });

export interface DeliveryRow {
  id: string;
  status: string;
  attempts: number;
}

export async function deliveries(app: TestApp): Promise<DeliveryRow[]> {
  const { rows } = await app.ctx.db.query<DeliveryRow>(
    "select id, status, attempts from alert_deliveries order by created_at, id",
  );
  return rows;
}

/**
 * True when nothing more can be sent: every event processed, no delivery
 * waiting or in flight (the deliveries table is the queue: a send a killed
 * worker left `sending` counts until its lease runs out and another claims it).
 */
export function settled(app: TestApp): Promise<boolean> {
  return settledDb(app.ctx.db);
}

/** `settled`, on a database the test reaches without a TestApp. */
export async function settledDb(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ n: string }>(
    `select (select count(*) from alert_events where processed_at is null)
          + (select count(*) from alert_deliveries
             where status in ('pending', 'deferred', 'sending', 'retrying')) as n`,
  );
  return Number(rows[0]?.n) === 0;
}

/** The webhook-id a delivery's requests carry (Standard Webhooks `msg_` + delivery id). */
export const webhookIdOf = (deliveryId: string) => `msg_${deliveryId}`;

/** The requests of each webhook-id, in the order they came. */
export function requestsByWebhookId(requests: ReceivedRequest[]): Map<string, ReceivedRequest[]> {
  const groups = new Map<string, ReceivedRequest[]>();
  for (const r of requests) {
    const id = String(r.headers["webhook-id"]);
    groups.set(id, [...(groups.get(id) ?? []), r]);
  }
  return groups;
}

/** How many requests, and how many answered 200, per webhook-id. */
export function byWebhookId(requests: ReceivedRequest[]) {
  return new Map(
    [...requestsByWebhookId(requests)].map(([id, rs]) => [
      id,
      { requests: rs.length, ok: rs.filter((r) => r.status === 200).length },
    ]),
  );
}

/**
 * After a worker stopped mid-send: nothing was cut off. Every request the
 * receiver got was answered and recorded as delivered, no delivery holds a
 * lease, and some but not all of the `events` deliveries went out.
 */
export async function expectNothingCutOff(
  app: TestApp,
  receiver: { requests: ReceivedRequest[] },
  events: number,
): Promise<void> {
  const afterStop = await deliveries(app);
  const delivered = new Set(afterStop.filter((d) => d.status === "delivered").map((d) => d.id));
  expect(afterStop.filter((d) => d.status === "sending")).toEqual([]);
  expect(receiver.requests.length).toBeGreaterThan(0);
  for (const r of receiver.requests) {
    expect(r.status).toBe(200);
    expect(delivered.has(String(r.headers["webhook-id"]).replace(/^msg_/, ""))).toBe(true);
  }
  expect(receiver.requests.length).toBeLessThan(events);
}

/**
 * After a worker stopped mid-send: a standalone worker started now sends the
 * rest, and all `events` deliveries end delivered at their first attempt,
 * with exactly one request (a 200) per webhook-id; it then stops cleanly.
 */
export async function expectNextWorkerSendsTheRest(
  app: TestApp,
  receiver: { requests: ReceivedRequest[]; waitFor(n: number): Promise<void> },
  databaseUrl: string,
  env: Record<string, string>,
  events: number,
): Promise<void> {
  const worker = await spawnWorker(databaseUrl, env);
  await receiver.waitFor(events);
  await waitUntil("the next worker to settle", () => settled(app));
  const rows = await deliveries(app);
  expect(rows).toHaveLength(events);
  expect(rows.filter((d) => d.status !== "delivered" || d.attempts !== 1)).toEqual([]);
  expect(receiver.requests).toHaveLength(events);
  const perId = byWebhookId(receiver.requests);
  for (const d of rows) expect(perId.get(webhookIdOf(d.id))).toEqual({ requests: 1, ok: 1 });
  expect(await worker.signal("SIGTERM")).toEqual({ code: 0, signal: null });
}
