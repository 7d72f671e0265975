import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as createWebhook } from "@/app/api/alerts/webhooks/route";
import { call, makeUngroupedUser, type TestApp, type TestUser } from "../helpers/app";
import { faultSeed, randomFor, seededRandom } from "../helpers/random";
import { type Answer, type ReceivedRequest, type Reply, startReceiver } from "../helpers/receiver";
import { waitUntil } from "../helpers/wait";
import {
  killAllWorkers,
  spawnWorker,
  type WorkerProcess,
  warningCounts,
} from "../helpers/worker-process";
import {
  byWebhookId,
  postJobStarted,
  settled,
  startProcessApp,
  webhookIdOf,
} from "../processes/support";

// Issue 7, item 2: SIGKILL the worker 20 times at random moments while a
// stream of events is being delivered. Nothing may be lost, and no delivery
// may reach a receiver that answered 200 a second time.

const KILLS = 20;
const USERS = 2;
const WEBHOOKS_PER_USER = 3;
// Every attempt a kill interrupts counts as an attempt, so a delivery that
// is unlucky several times over still has retries left.
const WORKER_ENV = { ALERTS_WEBHOOK_RETRY_SCHEDULE: "1,1,1,1,1,1,1,1,1,1" };

let app: TestApp;
let databaseUrl: string;
beforeAll(async () => {
  ({ app, databaseUrl } = await startProcessApp());
});
afterAll(async () => {
  await killAllWorkers();
  await app?.close();
});

/**
 * Holds answers while the test kills a worker. A worker that dies after the
 * receiver answered 200 but before it recorded the answer must send again —
 * no sender can tell "answered" from "lost" — so the test pauses answers,
 * waits until every 200 already answered is recorded, and only then kills.
 * Everything else (claims, sends, answers being prepared, retries waiting)
 * is caught at whatever point it has reached. Requests held by the pause are
 * dropped unanswered after the kill: in flight at the kill, they must be
 * sent again.
 */
class AnswerGate {
  private release: (() => void) | undefined;
  private released: Promise<void> | undefined;
  /** Requests whose (possibly slow) answer is still being prepared. */
  readonly preparing = new Set<ReceivedRequest>();
  held = 0;

  async pass(req: ReceivedRequest, answer: Reply): Promise<Answer> {
    this.preparing.delete(req);
    if (this.released) {
      this.held++;
      await this.released;
      return "drop";
    }
    return answer;
  }

  pause(): void {
    this.held = 0;
    this.released = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  dropHeld(): number {
    const held = this.held;
    this.release?.();
    this.released = undefined;
    return held;
  }
}

describe("the standalone worker killed with SIGKILL 20 times during a stream of deliveries", () => {
  it("loses no alert, sends no delivery twice to a receiver that answered 200, and sends again what was in flight at each kill", {
    timeout: 600_000,
  }, async () => {
    const seed = faultSeed();
    console.log(`worker kills: FAULT_SEED=${seed}`);
    const gate = new AnswerGate();
    const counts = new Map<string, number>();

    // One receiver per webhook: each answers 200, now or after up to 1.5 s
    // (so kills land mid-send), and a delivery's first attempt is sometimes a 500
    // (so kills land between retries).
    const receivers = await Promise.all(
      Array.from({ length: USERS * WEBHOOKS_PER_USER }, () =>
        startReceiver(
          async (req) => {
            gate.preparing.add(req);
            const id = String(req.headers["webhook-id"]);
            const seen = (counts.get(id) ?? 0) + 1;
            counts.set(id, seen);
            const r = randomFor(seed, id, seen);
            const answer: Reply = { status: seen === 1 && r.chance(0.1) ? 500 : 200 };
            if (r.chance(0.3)) await sleep(r.int(200, 1500));
            return gate.pass(req, answer);
          },
          { keepAliveTimeoutMs: 120_000 },
        ),
      ),
    );

    const users: TestUser[] = [];
    for (let u = 0; u < USERS; u++) {
      // Ungrouped: the test counts each alert's own delivery per webhook.
      const user = await makeUngroupedUser(app);
      users.push(user);
      for (let w = 0; w < WEBHOOKS_PER_USER; w++) {
        const receiver = receivers[u * WEBHOOKS_PER_USER + w];
        const res = await call(createWebhook, "POST", "/api/alerts/webhooks", {
          token: user.token,
          body: {
            name: `receiver ${w}`,
            url: `${receiver?.url}/hook`,
            webhook_type: "generic",
            secret: "generate",
            alert_job_started: true,
          },
        });
        expect(res.status).toBe(201);
      }
    }

    const started = performance.now();
    const spawned: WorkerProcess[] = [];
    const start = () => {
      const starting = spawnWorker(databaseUrl, WORKER_ENV).then((process) => {
        spawned.push(process);
        return { process, readyAt: performance.now() };
      });
      // Awaited later; a failed start fails the test there, not as an unhandled rejection.
      starting.catch(() => undefined);
      return starting;
    };
    let worker = await start();
    // The successor starts while the current worker runs (a start takes
    // seconds), so a kill never leaves the deliveries without a worker.
    let successor = start();

    // The stream: a few events at a time, at random intervals, until the last kill.
    const accepted: string[] = [];
    let producing = true;
    const producer = (async () => {
      const r = seededRandom(seed + 1);
      while (producing) {
        const burst = r.int(1, 2);
        for (let i = 0; i < burst; i++) {
          const user = users[r.int(0, USERS - 1)] as TestUser;
          accepted.push(await postJobStarted(user.id));
        }
        await sleep(r.int(200, 800));
      }
    })();

    const moments = seededRandom(seed + 2);
    let inFlightAtKills = 0;
    try {
      for (let k = 1; k <= KILLS; k++) {
        await sleep(moments.int(1000, 5000));
        const next = await successor;
        gate.pause();
        await waitUntil(
          "every delivery the receivers answered 200 to be recorded as delivered",
          async () => {
            const answered: string[] = [];
            for (const r of receivers) {
              const last = new Map<string, ReceivedRequest>();
              for (const q of r.requests) last.set(String(q.headers["webhook-id"]), q);
              for (const q of r.requests) {
                if (q.status !== 200) continue;
                const id = String(q.headers["webhook-id"]);
                // Sent again after its 200 was answered: a duplicate, whatever happens next.
                if (last.get(id) !== q)
                  throw new Error(
                    `${id} was answered 200, then sent again before the answer was recorded`,
                  );
                answered.push(id.replace(/^msg_/, ""));
              }
            }
            const { rows } = await app.ctx.db.query<{ n: string }>(
              "select count(*) as n from alert_deliveries where id = any($1::uuid[]) and status <> 'delivered'",
              [answered],
            );
            return Number(rows[0]?.n) === 0;
          },
          { timeoutMs: 60_000 },
        );
        const sent = receivers.reduce((n, r) => n + r.requests.length, 0);
        const open = receivers.reduce(
          (n, r) => n + r.requests.filter((q) => q.status === undefined && !q.unanswered).length,
          0,
        );
        const alive = Math.round(performance.now() - worker.readyAt);
        expect(await worker.process.signal("SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });
        // Answers still being prepared may belong to the dead worker: they are
        // held and dropped too, so that none is written to a connection whose
        // worker died (the receiver could not tell it was never read).
        const preparing = [...gate.preparing];
        await waitUntil("answers prepared before the kill to reach the gate", () =>
          preparing.every((q) => !gate.preparing.has(q)),
        );
        const held = gate.dropHeld();
        inFlightAtKills += open;
        console.log(
          `kill ${k}/${KILLS}: worker ${worker.process.pid} after ${alive} ms; ` +
            `${accepted.length} events posted, ${sent} requests so far, ${open} requests open (${held} held by the pause)`,
        );
        worker = next;
        if (k < KILLS) successor = start();
      }
    } finally {
      producing = false;
      await producer;
    }

    // Sends the killed workers had in flight come back when their lease (30 s) runs out.
    await waitUntil("every event to be processed and every delivery settled", () => settled(app), {
      timeoutMs: 300_000,
      intervalMs: 500,
    });
    expect(await worker.process.signal("SIGTERM")).toEqual({ code: 0, signal: null });
    const seconds = Math.round((performance.now() - started) / 1000);
    // What the workers complained about on the way (a cause, when an assertion below fails).
    const complaints = warningCounts(spawned.flatMap((w) => w.logs()));
    if (Object.keys(complaints).length > 0)
      console.log("worker kills: worker warnings", complaints);

    // Every accepted event became exactly one alert.
    const { rows: alertsPerEvent } = await app.ctx.db.query<{ id: string; alerts: number }>(
      `select e.id, count(h.id)::int as alerts
       from unnest($1::uuid[]) as e(id) left join alert_history h on h.event_id = e.id
       group by e.id`,
      [accepted],
    );
    expect(alertsPerEvent).toHaveLength(new Set(accepted).size);
    expect(alertsPerEvent.filter((e) => e.alerts !== 1)).toEqual([]);

    // Every alert has one delivery per webhook, and every delivery was delivered.
    const { rows: deliveries } = await app.ctx.db.query<{
      id: string;
      alert_id: string;
      status: string;
      attempts: number;
    }>(
      `select d.id, d.alert_id, d.status, d.attempts
       from alert_deliveries d join alert_history h on h.id = d.alert_id
       where h.event_id = any($1::uuid[])`,
      [accepted],
    );
    expect(deliveries).toHaveLength(accepted.length * WEBHOOKS_PER_USER);
    expect(deliveries.filter((d) => d.status !== "delivered")).toEqual([]);

    // Each delivery reached its receiver, which answered 200 exactly once.
    const requests = receivers.flatMap((r) => r.requests);
    const perId = byWebhookId(requests);
    expect([...perId.keys()].sort()).toEqual(deliveries.map((d) => webhookIdOf(d.id)).sort());
    const duplicates = [...perId].filter(([, c]) => c.ok !== 1);
    expect(duplicates).toEqual([]);
    // Every attempt that reached a receiver is counted (a delivery's attempts also
    // include those a kill cut short before the send). An attempt signs once: its
    // requests share a timestamp, and a request dropped on a pooled connection
    // may go again within its attempt.
    const recorded = new Map(deliveries.map((d) => [webhookIdOf(d.id), d.attempts]));
    const signed = new Map<string, Set<string>>();
    for (const r of requests) {
      const id = String(r.headers["webhook-id"]);
      signed.set(id, (signed.get(id) ?? new Set()).add(String(r.headers["webhook-timestamp"])));
    }
    expect(
      [...signed].filter(([id, ts]) => ts.size > (recorded.get(id) ?? 0)).map(([id]) => id),
    ).toEqual([]);

    // What was in flight at a kill (or dropped by the pause) was sent again and answered 200 once.
    const cutShort = new Set(
      requests.filter((r) => r.status === undefined).map((r) => String(r.headers["webhook-id"])),
    );
    for (const id of cutShort) expect(perId.get(id)?.ok).toBe(1);
    const after500 = requests.filter((r) => r.status === 500).length;

    const { rows: webhooks } = await app.ctx.db.query<{ enabled: boolean; failure_count: number }>(
      "select enabled, failure_count from user_webhooks",
    );
    expect(webhooks).toEqual(
      Array.from({ length: USERS * WEBHOOKS_PER_USER }, () => ({
        enabled: true,
        failure_count: 0,
      })),
    );

    const ok = requests.filter((r) => r.status === 200).length;
    console.log(
      `worker kills: ${KILLS} kills in ${seconds} s; ${accepted.length} events accepted, ` +
        `${alertsPerEvent.length} alerts (0 lost), ${deliveries.length} deliveries all delivered; ` +
        `${requests.length} requests: ${ok} answered 200 (${ok - perId.size} duplicated), ` +
        `${after500} answered 500, ${requests.length - ok - after500} cut short by a kill ` +
        `(${inFlightAtKills} open at the kills) — ${cutShort.size} deliveries sent again after being cut short; ` +
        `most attempts of one delivery: ${Math.max(...deliveries.map((d) => d.attempts))}`,
    );
    await Promise.all(receivers.map((r) => r.close()));
  });
});
