import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "@/lib/db/migrate";
import { createPgDb } from "@/lib/db/pg";
import type { Db } from "@/lib/db/types";
import { signUserToken } from "@/lib/http/tokens";
import { JWT_SECRET, SERVICE_KEY } from "../helpers/app";
import { type NextServer, startNextServer } from "../helpers/next-server";
import { createPgCluster, listClusters, type PgCluster } from "../helpers/pg-cluster";
import { startReceiver } from "../helpers/receiver";
import { waitUntil } from "../helpers/wait";
import {
  deploymentEnv,
  killAllWorkers,
  type LogLine,
  parseLog,
  spawnWorker,
  type WorkerProcess,
} from "../helpers/worker-process";
import { byWebhookId, settledDb, webhookIdOf } from "../processes/support";

// The service under test, as deployed: `next start` (with its inline worker)
// and a standalone worker, all on a PostgreSQL server of the test's own,
// which the test restarts while producers stream events.
const EVENTS = 2000;
const USERS = 20;
const PRODUCERS = 8;
// The first fault (`pg_ctlcluster restart`) comes once this many events are
// in, the second (stop … start) at the next mark: events from it on wait
// until the stop begins, and events from the gate on until the server is
// back, so both faults land mid-stream however fast the service takes events.
const RESTART_AT = 500;
const STOP_AT = 1000;
const GATE_AT = 1500;
// The server stays stopped until every process has logged a lost connection
// and /api/health has answered 503 this many times, so the outage outlasts
// several of the services' reconnect attempts.
const OUTAGE_POLLS = 5;

let cluster: PgCluster | undefined;
let web: NextServer | undefined;
let workers: WorkerProcess[] = [];
let db: Db | undefined;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;

beforeAll(async () => {
  cluster = await createPgCluster();
  const databaseUrl = await cluster.createDatabase("alerts");
  db = createPgDb({ connectionString: databaseUrl, max: 2, onIdleError: () => {} });
  await migrate(db);
  receiver = await startReceiver();
  const env = deploymentEnv(databaseUrl, {
    // The producers' retries must not run into the API's own rate limit.
    ALERTS_INGEST_RATE_LIMIT_PER_MINUTE: "0",
  });
  web = await startNextServer({ ...env, ALERTS_WORKER: "inline" });
  workers = [await spawnWorker(databaseUrl, env)];
}, 180_000);

afterAll(async () => {
  await killAllWorkers();
  await web?.stop();
  await receiver?.close();
  await db?.close().catch(() => {});
  await cluster?.drop();
  // Nothing of this run is left behind on the machine.
  const left = (await listClusters()).filter((c) => c.name === cluster?.name);
  expect(left).toEqual([]);
}, 120_000);

interface HealthPoll {
  at: number;
  status: number;
  db?: string;
}

/** Polls /api/health until stopped, recording every answer. */
function pollHealth(url: string) {
  const polls: HealthPoll[] = [];
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const at = performance.now();
      try {
        const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(15_000) });
        const body = (await res.json()) as { db?: string };
        polls.push({ at, status: res.status, db: body.db });
      } catch {
        polls.push({ at, status: 0 });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    polls,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

interface Producer {
  /** event_id → whether its 202 said `duplicate` (a retry of an event already stored). */
  accepted: Map<string, boolean>;
  /** Attempts that could not connect, or whose connection broke before an answer. */
  connectionErrors: number;
  /** 503 answers (database unreachable). */
  unavailable: number;
  /** Any other answer: each one a failure. */
  unexpected: string[];
  done: Promise<void>;
}

/**
 * Posts `events` with `PRODUCERS` concurrent clients, as training servers
 * would: an event that was not accepted (connection refused, 503) is sent
 * again with the same event_id until it gets its 202.
 */
function produce(
  url: string,
  events: { event_id: string; user_id: string }[],
  gates: { from: number; open: Promise<void> }[],
): Producer {
  const p: Producer = {
    accepted: new Map(),
    connectionErrors: 0,
    unavailable: 0,
    unexpected: [],
    done: Promise.resolve(),
  };
  let next = 0;
  const client = async () => {
    for (let i = next++; i < events.length; i = next++) {
      for (const gate of gates) if (i >= gate.from) await gate.open;
      const event = events[i];
      if (!event) break;
      const body = JSON.stringify({
        ...event,
        type: "job_started",
        job_id: randomUUID(),
        data: { model_name: "restart-test" },
      });
      for (;;) {
        let status = 0;
        let text = "";
        try {
          const res = await fetch(`${url}/api/alerts/events`, {
            method: "POST",
            headers: { authorization: `Bearer ${SERVICE_KEY}`, "content-type": "application/json" },
            body,
            signal: AbortSignal.timeout(60_000),
          });
          status = res.status;
          text = await res.text();
        } catch {
          p.connectionErrors++;
        }
        if (status === 202) {
          const answer = JSON.parse(text) as { event_id: string; duplicate: boolean };
          expect(answer.event_id).toBe(event.event_id);
          p.accepted.set(event.event_id, answer.duplicate);
          break;
        }
        if (status === 503) p.unavailable++;
        else if (status !== 0) p.unexpected.push(`${status} ${text}`);
        // The producer's own back-off before it tries again.
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };
  p.done = Promise.all(Array.from({ length: PRODUCERS }, client)).then(() => {});
  return p;
}

/** How many times a process logged that it lost a database connection (lib/db/open.ts). */
const countLost = (logs: LogLine[]) =>
  logs.filter((l) => l.msg?.startsWith("database connection lost")).length;

/** Log messages (with their error's) by count, for the summary. */
function messageCounts(logs: LogLine[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const l of logs) {
    const err = (l.err as { message?: string } | undefined)?.message;
    const key = err ? `${l.msg} (${err.slice(0, 80)})` : (l.msg ?? "?");
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** The server log's ERROR messages by count. */
function errorCounts(log: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of serverErrors(log)) {
    const message = / ERROR: {2}(.*)/.exec(line)?.[1];
    if (message) counts[message] = (counts[message] ?? 0) + 1;
  }
  return counts;
}

/**
 * The PostgreSQL log's ERROR entries with their DETAIL/CONTEXT/STATEMENT lines
 * (deadlocks, say); the restarts themselves log FATAL and LOG entries.
 */
function serverErrors(log: string): string[] {
  const out: string[] = [];
  let keep = false;
  for (const line of log.split("\n")) {
    if (/ (ERROR|FATAL|LOG|WARNING|PANIC): /.test(line)) keep = / ERROR: /.test(line);
    if (keep) out.push(line);
  }
  return out;
}

/** What keeps `settled` false: for a failure message. */
async function openWork(db: Db) {
  const [events, deliveries, jobs] = await Promise.all([
    db.query(
      "select count(*)::int as n, max(attempts) as attempts, max(last_error) as last_error from alert_events where processed_at is null",
    ),
    db.query(
      "select status, count(*)::int as n, min(lease_until) as lease_until, min(next_attempt_at) as next_attempt_at from alert_deliveries group by status",
    ),
    db.query("select name, state, count(*)::int as n from pgboss.job group by name, state"),
  ]);
  return { now: new Date(), events: events.rows, deliveries: deliveries.rows, jobs: jobs.rows };
}

describe("PostgreSQL restarting while producers stream events", () => {
  it("every accepted event ends as exactly one alert delivered once, the service reconnects by itself, and /api/health reports the outage while it lasts", async () => {
    if (!cluster || !web || !db || !receiver) throw new Error("set-up did not complete");
    const server = web;
    const pgServer = cluster;
    const store = db;
    const hooks = receiver;

    // Users, each with one signed generic webhook that takes job_started, and
    // ungrouped (window 0): the test counts each event's own alert and delivery.
    const users = await Promise.all(
      Array.from({ length: USERS }, async (_, i) => {
        const id = randomUUID();
        const token = await signUserToken(JWT_SECRET, {
          sub: id,
          email: `restart-${i}@example.com`,
          now: new Date(),
          expiresIn: 3600,
        });
        const prefs = await fetch(`${server.url}/api/alerts/preferences`, {
          method: "PUT",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ group_window_seconds: 0 }),
        });
        expect(prefs.status).toBe(200);
        const res = await fetch(`${server.url}/api/alerts/webhooks`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({
            name: `receiver ${i}`,
            url: `${hooks.url}/hook/${i}`,
            webhook_type: "generic",
            secret: "generate",
            alert_job_started: true,
          }),
        });
        expect(res.status).toBe(201);
        return id;
      }),
    );
    const events = Array.from({ length: EVENTS }, (_, i) => ({
      event_id: randomUUID(),
      user_id: users[i % USERS] as string,
    }));

    // Each process's JSON log lines (warnings and errors: LOG_LEVEL=warn).
    const processLogs = () => [
      { name: "web", logs: server.output().split("\n").flatMap(parseLog) },
      ...workers.map((w) => ({ name: `worker ${w.pid}`, logs: w.logs() })),
    ];
    const health = pollHealth(server.url);
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let openStopping = () => {};
    const stopping = new Promise<void>((resolve) => {
      openStopping = resolve;
    });
    const producer = produce(server.url, events, [
      { from: STOP_AT, open: stopping },
      { from: GATE_AT, open: gate },
    ]);
    const started = performance.now();

    try {
      // Fault 1: `pg_ctlcluster restart`, a short outage.
      await waitUntil(
        `${RESTART_AT} events to be accepted`,
        () => producer.accepted.size >= RESTART_AT,
        {
          timeoutMs: 120_000,
        },
      );
      const restartFrom = performance.now();
      const before = {
        unavailable: producer.unavailable,
        connectionErrors: producer.connectionErrors,
      };
      await pgServer.restart();
      const restartMs = performance.now() - restartFrom;
      const restartEffect = {
        unavailable: producer.unavailable - before.unavailable,
        connectionErrors: producer.connectionErrors - before.connectionErrors,
      };

      // Fault 2: stop, and start again once the outage has been seen both by
      // the health check and by the producers.
      await waitUntil(`${STOP_AT} events to be accepted`, () => producer.accepted.size >= STOP_AT, {
        timeoutMs: 120_000,
      });
      const stopFrom = performance.now();
      const refusedBefore = producer.unavailable + producer.connectionErrors;
      const lostBefore = processLogs().map(({ logs }) => countLost(logs));
      openStopping();
      await pgServer.stop();
      await waitUntil(
        "the health check, the producers and every process to see the database gone",
        () =>
          health.polls.filter((p) => p.at > stopFrom && p.status === 503).length >= OUTAGE_POLLS &&
          producer.unavailable + producer.connectionErrors > refusedBefore &&
          processLogs().every(({ logs }, i) => countLost(logs) > (lostBefore[i] ?? 0)),
        { timeoutMs: 60_000 },
      );
      const startFrom = performance.now();
      await pgServer.start();
      await waitUntil(
        "/api/health to answer 200 again",
        () => health.polls.some((p) => p.at > startFrom && p.status === 200),
        { timeoutMs: 120_000, intervalMs: 100 },
      );
      const backAt = health.polls.find((p) => p.at > startFrom && p.status === 200)?.at ?? 0;
      openGate();
      await producer.done;
      const streamMs = performance.now() - started;

      await waitUntil(
        "every event to be processed and every delivery made",
        () => settledDb(store),
        { timeoutMs: 180_000, intervalMs: 500 },
      ).catch(async (error: Error) => {
        const logs = processLogs().map(({ name, logs }) => [name, messageCounts(logs)]);
        throw new Error(
          `${error.message}\nstill open: ${JSON.stringify(await openWork(store))}\n` +
            `logs: ${JSON.stringify(Object.fromEntries(logs), null, 1)}\n` +
            `server log (errors):\n${serverErrors(pgServer.log()).slice(0, 60).join("\n")}`,
        );
      });
      const settledMs = performance.now() - started;
      await health.stop();

      const during = health.polls.filter((p) => p.at > stopFrom && p.at < backAt);
      const unavailablePolls = during.filter((p) => p.status === 503);
      console.log(
        JSON.stringify(
          {
            events: EVENTS,
            accepted: producer.accepted.size,
            accepted_as_duplicate_of_a_lost_answer: [...producer.accepted.values()].filter(Boolean)
              .length,
            refused_503: producer.unavailable,
            refused_connection: producer.connectionErrors,
            unexpected_answers: producer.unexpected.length,
            restart: {
              pg_ctlcluster_restart_ms: Math.round(restartMs),
              refused_503: restartEffect.unavailable,
              refused_connection: restartEffect.connectionErrors,
            },
            stop_start: {
              outage_ms: Math.round(backAt - stopFrom),
              health_polls: during.length,
              health_503: unavailablePolls.length,
              health_other: during.filter((p) => p.status !== 503).map((p) => p.status),
            },
            stream_ms: Math.round(streamMs),
            settled_ms: Math.round(settledMs),
            receiver_requests: hooks.requests.length,
            receiver_200: hooks.requests.filter((r) => r.status === 200).length,
            server_errors: errorCounts(pgServer.log()),
            logs: Object.fromEntries(
              processLogs().map(({ name, logs }) => [name, messageCounts(logs)]),
            ),
          },
          null,
          1,
        ),
      );

      // Every event got its 202 in the end, and only refusals came before.
      expect(producer.unexpected).toEqual([]);
      expect(producer.accepted.size).toBe(EVENTS);
      expect(producer.unavailable + producer.connectionErrors).toBeGreaterThan(0);

      // /api/health said so while the database was gone, and is healthy again.
      expect(unavailablePolls.length).toBeGreaterThan(0);
      for (const p of unavailablePolls) expect(p.db).toBe("unreachable");
      const last = health.polls.at(-1);
      expect(last).toMatchObject({ status: 200, db: "ok" });

      // Exactly one alert per accepted event, and nothing else.
      const ids = [...producer.accepted.keys()];
      const { rows: alerts } = await store.query<{ event_id: string; n: string }>(
        "select event_id, count(*) as n from alert_history group by event_id",
      );
      expect(alerts.filter((a) => Number(a.n) !== 1)).toEqual([]);
      expect(new Set(alerts.map((a) => a.event_id))).toEqual(new Set(ids));
      const { rows: stored } = await store.query<{ n: string }>(
        "select count(*) as n from alert_events",
      );
      expect(Number(stored[0]?.n)).toBe(EVENTS);

      // Each alert has its one webhook delivery, delivered.
      const { rows: deliveries } = await store.query<{ id: string; status: string }>(
        "select d.id, d.status from alert_deliveries d join alert_history h on h.id = d.alert_id",
      );
      expect(deliveries).toHaveLength(EVENTS);
      expect(deliveries.filter((d) => d.status !== "delivered")).toEqual([]);

      // The receiver got exactly one 200 per delivery (webhook-id), none for anything else.
      const counts = byWebhookId(hooks.requests);
      const notOnce = [...counts].filter(([, c]) => c.ok !== 1);
      expect(notOnce).toEqual([]);
      expect(new Set(counts.keys())).toEqual(new Set(deliveries.map((d) => webhookIdOf(d.id))));

      // Nobody restarted the service: the same processes reconnected by themselves.
      expect(server.running(), server.output()).toBe(true);
      for (const w of workers) {
        expect(
          { pid: w.pid, exit: w.child.exitCode ?? w.child.signalCode },
          `worker ${w.pid}:\n${w.stderr()}\n${w.lines.slice(-20).join("\n")}`,
        ).toEqual({ pid: w.pid, exit: null });
      }
    } finally {
      openGate();
      await health.stop();
    }
  }, 240_000);
});
