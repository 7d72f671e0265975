// Scheduled reports at scale: the daily summaries of 10,000 users with
// 100,000 jobs, all due at the same minute, on PGlite and on PostgreSQL.
// Each engine gets a fresh database (PostgreSQL: a new database on
// TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test, dropped
// at the end), bulk-loaded with generate_series. Prints the timings of
//   - the whole tick (claim + content + history rows + deliveries + queue jobs),
//   - the content statement alone for every report in one go,
//   - the idle tick a minute later (nothing due: the steady per-minute cost),
//   - rendering every report email (formatEmail, pure CPU).
//   npm run bench:reports [-- --engine pglite|postgres|both --users 10000 --jobs 100000 --runs 3]
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import pino from "pino";
import type { EngineDeps } from "../lib/alerts/alert.service";
import type { AlertCard } from "../lib/alerts/formatters/card";
import { formatEmail } from "../lib/alerts/formatters/email.formatter";
import { scheduleDueReports } from "../lib/alerts/report.service";
import { loadReportContent, type ReportKind } from "../lib/alerts/sql/reports";
import { parseConfig } from "../lib/config/config";
import { migrate } from "../lib/db/migrate";
import { createPgDb } from "../lib/db/pg";
import { createPgliteDb } from "../lib/db/pglite";
import type { Db } from "../lib/db/types";
import { startQueue } from "../lib/queue/queue";

const { values } = parseArgs({
  options: {
    engine: { type: "string", default: "both" },
    users: { type: "string", default: "10000" },
    jobs: { type: "string", default: "100000" },
    runs: { type: "string", default: "3" },
    "batch-size": { type: "string", default: "2000" },
  },
});
const USERS = Number(values.users);
const JOBS = Number(values.jobs);
const RUNS = Math.max(1, Number(values.runs));
const BATCH = Number(values["batch-size"]);
const DUE = new Date("2026-03-10T09:00:00Z");
const ZONES = [
  "UTC",
  "Europe/Berlin",
  "America/New_York",
  "America/Los_Angeles",
  "Asia/Kathmandu",
  "Asia/Kolkata",
  "Asia/Tokyo",
  "Australia/Sydney",
];
const log = pino({ level: "silent" });

async function freshDb(engine: "pglite" | "postgres"): Promise<{ db: Db; drop(): Promise<void> }> {
  if (engine === "pglite") {
    const db = await createPgliteDb();
    return { db, drop: () => db.close() };
  }
  const admin = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const name = `ta_bench_reports_${randomBytes(4).toString("hex")}`;
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

const ms = (start: number) => performance.now() - start;
const fmt = (v: number) => `${v.toFixed(0).padStart(7)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * Users in eight zones, each with the daily summary at the local time that is
 * 09:00 UTC on 10 March, so that every report is due at once; jobs over the
 * 48 hours before (about half inside the period), with the job-event trigger
 * off during the load; resource events and alerts for the counts.
 */
async function load(db: Db): Promise<void> {
  await db.exec(`
    select setseed(0.42);
    insert into auth.users (id, email)
      select gen_random_uuid(), 'bench-' || g || '@example.com' from generate_series(1, ${USERS}) g;
    create temporary table bench_users as
      select id, row_number() over (order by email) as n from auth.users;
    insert into user_alert_preferences (user_id, daily_summary_enabled, daily_summary_time, timezone)
      select u.id, true,
             (timestamptz '${DUE.toISOString()}' at time zone z.zone)::time,
             z.zone
      from bench_users u
      join (select zone, ordinality - 1 as i
            from unnest(array['${ZONES.join("','")}']) with ordinality zone) z
        on z.i = u.n % ${ZONES.length};
    alter table training_jobs disable trigger training_jobs_record_event;
    insert into training_jobs (user_id, model_name, status, started_at, finished_at, loss,
                               gpu_count, error, current_step, total_steps)
      select u.id, 'model-' || (g % 7), s.status, s.started,
             case when s.status <> 'running'
                  then s.started + make_interval(mins => 10 + (random() * 350)::int) end,
             case when s.status = 'completed' then 0.2 + random() end,
             1 + (random() * 7)::int,
             case when s.status = 'failed' then
               E'Traceback (most recent call last):\\n  File "train.py", line 1, in <module>\\n' ||
               'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate ' || g % 9 || '.00 GiB.' end,
             1000, 1000
      from generate_series(1, ${JOBS}) g
      join bench_users u on u.n = 1 + g % ${USERS}
      cross join lateral (
        select case when r < 0.70 then 'completed' when r < 0.85 then 'failed'
                    when r < 0.95 then 'cancelled' else 'running' end as status,
               timestamptz '${DUE.toISOString()}' - make_interval(secs => (random() * 48 * 3600)::int) as started
        from (select random() + g * 0 as r) x
      ) s;
    alter table training_jobs enable trigger training_jobs_record_event;
    insert into alert_events (type, user_id, occurred_at, data, source, processed_at, outcome)
      select (array['gpu_oom', 'disk_warning', 'timeout_warning'])[1 + g % 3], u.id,
             timestamptz '${DUE.toISOString()}' - make_interval(secs => (random() * 48 * 3600)::int),
             jsonb_build_object('disk_path', '/mnt/data', 'disk_used_percent', 95),
             'api', now(), 'alerted'
      from generate_series(1, ${Math.round(JOBS / 5)}) g
      join bench_users u on u.n = 1 + g % ${USERS};
    insert into alert_history (user_id, alert_type, title, message, status, deferred_until, created_at)
      select u.id, 'job_completed', 't', 'm',
             (array['sent', 'sent', 'sent', 'suppressed', 'deferred'])[1 + g % 5],
             case when g % 5 = 4 then timestamptz '${DUE.toISOString()}' end,
             timestamptz '${DUE.toISOString()}' - make_interval(secs => (random() * 48 * 3600)::int)
      from generate_series(1, ${Math.round(JOBS / 2)}) g
      join bench_users u on u.n = 1 + g % ${USERS};
    analyze;
  `);
}

async function reset(db: Db): Promise<void> {
  await db.exec(`
    delete from report_runs;
    delete from alert_history where alert_type in ('daily_summary', 'weekly_digest');
  `);
}

async function bench(engine: "pglite" | "postgres") {
  const { db, drop } = await freshDb(engine);
  try {
    await migrate(db);
    let t = performance.now();
    await load(db);
    const loadMs = ms(t);
    const queue = await startQueue({ db, log, supervise: false });
    const config = parseConfig({
      SUPABASE_JWT_SECRET: randomBytes(32).toString("base64url"),
      ALERTS_SERVICE_KEY: `ta_sk_${randomBytes(24).toString("base64url")}`,
      ALERTS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      ALERTS_DATA_DIR: "./.data/bench",
    });
    const deps: EngineDeps = {
      db,
      config,
      clock: () => DUE,
      log,
      queue: {
        notifyDeliveries: (tx) => queue.notifyDeliveries(tx),
        scheduleNotice: (tx, userId, after) => queue.scheduleNotice(tx, userId, after),
        wake: () => {},
      },
    };

    const ticks: number[] = [];
    const idle: number[] = [];
    const contents: number[] = [];
    let result: Awaited<ReturnType<typeof scheduleDueReports>> | undefined;
    for (let run = 0; run < RUNS; run++) {
      await reset(db);
      t = performance.now();
      result = await scheduleDueReports(deps, DUE, { batchSize: BATCH });
      ticks.push(ms(t));
      t = performance.now();
      await scheduleDueReports(deps, new Date(DUE.getTime() + 60_000), { batchSize: BATCH });
      idle.push(ms(t));

      const { rows: periods } = await db.query<{
        key: string;
        user_id: string;
        kind: ReportKind;
        period_start: Date;
        period_end: Date;
        timezone: string;
      }>("select key, user_id, kind, period_start, period_end, timezone from report_runs");
      t = performance.now();
      await loadReportContent(db, periods);
      contents.push(ms(t));
    }

    const { rows } = await db.query<{
      id: string;
      alert_type: string;
      data: Record<string, unknown>;
    }>("select id, alert_type, data from alert_history where alert_type = 'daily_summary'");
    t = performance.now();
    let bytes = 0;
    for (const row of rows) {
      const card: AlertCard = {
        id: row.id,
        type: row.alert_type,
        title: "",
        message: "",
        jobId: null,
        data: row.data,
        createdAt: DUE,
        appUrl: "https://alerts.example.com",
      };
      bytes += formatEmail(card).html.length;
    }
    const renderMs = ms(t);
    await queue.stop({ graceful: false, timeoutMs: 1000 });

    console.log(
      `\n${engine}: ${USERS.toLocaleString("en-US")} users, ${JOBS.toLocaleString("en-US")} jobs`,
    );
    console.log(`  load (generate_series)                 ${fmt(loadMs)}`);
    console.log(
      `  tick, all due (batch ${BATCH})             ${fmt(median(ticks))}   median of ${RUNS}: ${ticks.map((x) => x.toFixed(0)).join(", ")}`,
    );
    console.log(
      `    claimed ${result?.claimed}, sent ${result?.alerted}, skipped (idle) ${result?.skipped}, queued ${result?.enqueued}`,
    );
    console.log(`  content statement, all reports at once ${fmt(median(contents))}`);
    console.log(`  idle tick (nothing due)                ${fmt(median(idle))}`);
    console.log(
      `  render ${rows.length} emails (formatEmail)     ${fmt(renderMs)}   avg ${(bytes / Math.max(1, rows.length) / 1024).toFixed(1)} KB HTML`,
    );
  } finally {
    await drop();
  }
}

const engines =
  values.engine === "both"
    ? (["pglite", "postgres"] as const)
    : [values.engine as "pglite" | "postgres"];
for (const engine of engines) await bench(engine);
