// The job page's read: GET /api/training/jobs/{id} for a job with 2,000
// progress points, 50 alerts (two deliveries each) and their events, called
// in process through the route handler (auth, RLS scope, the one statement,
// JSON), on PGlite and on PostgreSQL (a fresh database on TEST_DATABASE_URL,
// default postgres://postgres@127.0.0.1:5432/test, dropped at the end).
//   npm run bench:job-page [-- --engine pglite|postgres|both --runs 200]
import { randomBytes, randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import pino from "pino";
import { GET } from "../app/api/training/jobs/[id]/route";
import { parseConfig } from "../lib/config/config";
import { migrate } from "../lib/db/migrate";
import { createPgDb } from "../lib/db/pg";
import { createPgliteDb } from "../lib/db/pglite";
import type { Db } from "../lib/db/types";
import { createAuthenticator } from "../lib/http/auth";
import { createRateLimiter } from "../lib/http/rate-limit";
import { signUserToken } from "../lib/http/tokens";
import { setContext } from "../lib/server/context";

const { values } = parseArgs({
  options: {
    engine: { type: "string", default: "both" },
    runs: { type: "string", default: "200" },
  },
});
const RUNS = Math.max(10, Number(values.runs));
const engines = values.engine === "both" ? ["pglite", "postgres"] : [values.engine];
const SECRET = randomBytes(32).toString("hex");

async function freshDb(engine: string): Promise<{ db: Db; drop(): Promise<void> }> {
  if (engine === "pglite") {
    const db = await createPgliteDb();
    return { db, drop: () => db.close() };
  }
  const admin = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const name = `ta_bench_job_${randomBytes(4).toString("hex")}`;
  const server = createPgDb({ connectionString: admin, max: 1 });
  await server.exec(`create database ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const db = createPgDb({ connectionString: url.toString(), max: 5 });
  return {
    db,
    async drop() {
      await db.close();
      await server.exec(`drop database if exists ${name} with (force)`);
      await server.close();
    },
  };
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;

for (const engine of engines) {
  const { db, drop } = await freshDb(engine);
  try {
    await migrate(db);
    const now = new Date();
    const config = parseConfig({
      SUPABASE_JWT_SECRET: SECRET,
      ALERTS_SERVICE_KEY: `ta_sk_${SECRET}`,
      ALERTS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
      ALERTS_API_RATE_LIMIT_PER_MINUTE: "0",
      ALERTS_DATA_DIR: "./.data/bench",
    });
    const clock = () => now;
    setContext({
      config,
      db,
      log: pino({ level: "silent" }),
      clock,
      auth: createAuthenticator(config, clock),
      knownUsers: new Set(),
      rateLimiter: createRateLimiter(),
    });
    const userId = randomUUID();
    const jobId = randomUUID();
    await db.query("insert into auth.users (id, email) values ($1, 'bench@example.com')", [userId]);
    await db.query(
      `insert into training_jobs (id, user_id, model_name, status, total_steps, gpu_count, metadata)
       values ($1, $2, 'bench-model', 'running', 20000, 8, '{"group":"bench"}')`,
      [jobId, userId],
    );
    await db.query(
      `insert into training_job_progress (job_id, user_id, step, loss, at, metrics)
       select $1, $2, g * 10, 3.0 / (1 + g / 100.0), now() - make_interval(secs => 2000 - g),
              jsonb_build_object('lr', 0.0003, 'tokens_per_s', 48000 + g % 7)
       from generate_series(0, 1999) g`,
      [jobId, userId],
    );
    await db.query(
      `with a as (
         insert into alert_history (user_id, alert_type, title, message, job_id, status, data, created_at)
         select $2, 'timeout_warning', 'Job stalled ' || g, 'No progress for 30 minutes', $1, 'sent',
                jsonb_build_object('model_name', 'bench-model', 'minutes_without_progress', 30),
                now() - make_interval(mins => 50 - g)
         from generate_series(1, 50) g
         returning id, created_at
       ), e as (
         insert into alert_events (type, user_id, job_id, occurred_at, data, source, processed_at, alert_id, outcome)
         select 'timeout_warning', $2, $1, a.created_at, '{}'::jsonb, 'monitor', a.created_at, a.id, 'alerted'
         from a
       )
       insert into alert_deliveries (alert_id, user_id, channel, status, attempts, delivered_at)
       select a.id, $2, 'email', 'delivered', 1, a.created_at from a`,
      [jobId, userId],
    );
    const token = await signUserToken(SECRET, {
      sub: userId,
      email: "bench@example.com",
      now,
      expiresIn: 3600,
    });
    // The baseline: the same route for a job with nothing attached.
    const emptyJob = randomUUID();
    await db.query(
      "insert into training_jobs (id, user_id, model_name, status) values ($1, $2, 'empty', 'running')",
      [emptyJob, userId],
    );
    const call = async (query: string, id = jobId) => {
      const res = await GET(
        new Request(`http://bench.internal/api/training/jobs/${id}${query}`, {
          headers: { authorization: `Bearer ${token}` },
        }),
        { params: Promise.resolve({ id }) },
      );
      const body = (await res.json()) as { progress: unknown[]; alerts: unknown[] };
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      return body;
    };
    const first = await call("");
    if (first.progress.length !== 2000 || first.alerts.length !== 50) {
      throw new Error(
        `unexpected shape: ${first.progress.length} points, ${first.alerts.length} alerts`,
      );
    }
    for (const [label, query, id] of [
      ["baseline: a job with no points, events or alerts", "", emptyJob],
      ["2000 points + 50 alerts, all points", "", jobId],
      ["2000 points + 50 alerts, ?points=800 (the page)", "?points=800", jobId],
    ] as const) {
      for (let i = 0; i < 10; i++) await call(query, id);
      const times: number[] = [];
      // CPU time of this process per call: on PGlite that is the database's work too,
      // a figure that other load on the machine does not inflate as it does wall time.
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await call(query, id);
        times.push(performance.now() - t);
      }
      const cpu = process.cpuUsage(cpu0);
      process.stdout.write(
        `${engine.padEnd(8)} GET /api/training/jobs/{id}, ${label}: ` +
          `p50 ${pct(times, 0.5).toFixed(1)} ms, p99 ${pct(times, 0.99).toFixed(1)} ms, ` +
          `process CPU ${((cpu.user + cpu.system) / 1000 / RUNS).toFixed(1)} ms/call (${RUNS} runs)\n`,
      );
    }
  } finally {
    setContext(undefined);
    await drop();
  }
}
