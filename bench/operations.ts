// Operations costs on PostgreSQL (docs/operations.md, Costs):
//   - a metrics scrape (GET /api/metrics' work: the queue gauges' one
//     statement and the registry's text) with 100,000 deliveries and 100,000
//     inbox events in the tables;
//   - a retention pass over 1,000,000 old rows (deliveries, history, events,
//     dedupe claims, 250,000 each), in rows per second.
// A fresh database on TEST_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/test), bulk-loaded with generate_series,
// dropped at the end.
//   npm run bench:operations [-- --deliveries 100000 --old-rows 1000000 --scrapes 50]
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { runRetention } from "../lib/alerts/retention";
import { migrate } from "../lib/db/migrate";
import { createPgDb } from "../lib/db/pg";
import { QUEUE_GAUGES_SQL, readQueueGauges } from "../lib/metrics/gauges";
import { createMetricsRegistry } from "../lib/metrics/registry";
import { renderMetrics } from "../lib/metrics/scrape";

const { values } = parseArgs({
  options: {
    deliveries: { type: "string", default: "100000" },
    "old-rows": { type: "string", default: "1000000" },
    scrapes: { type: "string", default: "50" },
  },
});
const DELIVERIES = Number(values.deliveries);
const OLD_ROWS = Number(values["old-rows"]);
const SCRAPES = Number(values.scrapes);
const NOW = new Date("2026-06-01T03:17:00Z");

const admin = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const name = `ta_bench_ops_${randomBytes(4).toString("hex")}`;
const server = createPgDb({ connectionString: admin, max: 1 });
await server.exec(`create database ${name}`);
const url = new URL(admin);
url.pathname = `/${name}`;
const db = createPgDb({ connectionString: url.toString(), max: 4 });

const ms = (started: number) => performance.now() - started;
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;

try {
  await migrate(db);
  await db.exec(`
    insert into auth.users (id, email)
      select gen_random_uuid(), 'u' || g || '@example.com' from generate_series(1, 100) g;
    create table bench_users as select id, row_number() over () as n from auth.users;
  `);

  // --- scrape: 100k deliveries (90% delivered, 5% due, 5% waiting to retry), 100k events (1% unprocessed)
  let started = performance.now();
  await db.exec(`
    insert into alert_history (id, user_id, alert_type, title, message, status, created_at)
      select gen_random_uuid(), u.id, 'job_failed', 't', 'm', 'sent',
             timestamptz '${NOW.toISOString()}' - make_interval(secs => g)
      from generate_series(1, ${DELIVERIES}) g join bench_users u on u.n = 1 + g % 100;
    insert into alert_deliveries (alert_id, user_id, channel, status, next_attempt_at, created_at)
      select h.id, h.user_id, 'email',
             case when r < 0.90 then 'delivered' when r < 0.95 then 'pending' else 'retrying' end,
             case when r < 0.90 then null when r < 0.95 then h.created_at
                  else timestamptz '${NOW.toISOString()}' + interval '5 minutes' end,
             h.created_at
      from (select h.*, random() as r from alert_history h) h;
    insert into alert_events (type, user_id, received_at, processed_at, outcome)
      select 'job_failed', u.id, timestamptz '${NOW.toISOString()}' - make_interval(secs => g),
             case when g % 100 = 0 then null else timestamptz '${NOW.toISOString()}' end,
             case when g % 100 = 0 then null else 'alerted' end
      from generate_series(1, ${DELIVERIES}) g join bench_users u on u.n = 1 + g % 100;
  `);
  await db.exec("vacuum analyze");
  process.stdout.write(
    `loaded ${DELIVERIES} deliveries and events in ${Math.round(ms(started))} ms\n`,
  );
  const metrics = createMetricsRegistry();
  const times: number[] = [];
  for (let i = 0; i < SCRAPES; i++) {
    started = performance.now();
    const { body } = await renderMetrics(metrics, db, NOW);
    times.push(ms(started));
    if (i === 0 && !body.includes("training_alerts_deliveries_due")) throw new Error("no gauges");
  }
  const gaugeTimes: number[] = [];
  for (let i = 0; i < SCRAPES; i++) {
    started = performance.now();
    await readQueueGauges(db, NOW);
    gaugeTimes.push(ms(started));
  }
  const textTimes: number[] = [];
  for (let i = 0; i < SCRAPES; i++) {
    started = performance.now();
    await metrics.registry.metrics();
    textTimes.push(ms(started));
  }
  const gaugeValues = await renderMetrics(metrics, db, NOW).then(({ body }) =>
    body.split("\n").filter((l) => /^training_alerts_(deliveries_due|inbox_backlog) /.test(l)),
  );
  process.stdout.write(
    `scrape with ${DELIVERIES} deliveries: p50 ${percentile(times, 0.5).toFixed(1)} ms, ` +
      `p95 ${percentile(times, 0.95).toFixed(1)} ms over ${SCRAPES} scrapes (${gaugeValues.join(", ")}); ` +
      `the gauges' statement alone p50 ${percentile(gaugeTimes, 0.5).toFixed(1)} ms, ` +
      `the registry's text alone p50 ${percentile(textTimes, 0.5).toFixed(1)} ms\n`,
  );
  if (process.env.BENCH_EXPLAIN) {
    const { rows: plan } = await db.query<{ "QUERY PLAN": string }>(
      `explain (analyze, buffers) ${QUEUE_GAUGES_SQL}`,
      [NOW],
    );
    process.stdout.write(`${plan.map((r) => r["QUERY PLAN"]).join("\n")}\n`);
  }

  // --- retention: 1M old rows (a quarter each: deliveries, history, events, dedupe claims)
  await db.exec("truncate alert_deliveries, alert_history, alert_events, alert_dedupe cascade");
  const quarter = Math.floor(OLD_ROWS / 4);
  started = performance.now();
  await db.exec(`
    insert into alert_history (id, user_id, alert_type, title, message, status, created_at)
      select gen_random_uuid(), u.id, 'job_failed', 't', 'm', 'sent',
             timestamptz '${NOW.toISOString()}' - interval '200 days' + make_interval(secs => g)
      from generate_series(1, ${quarter}) g join bench_users u on u.n = 1 + g % 100;
    insert into alert_deliveries (alert_id, user_id, channel, status, created_at, delivered_at)
      select id, user_id, 'email', 'delivered', created_at, created_at from alert_history;
    insert into alert_events (type, user_id, received_at, processed_at, outcome, alert_id)
      select 'job_failed', user_id, created_at, created_at, 'alerted', id from alert_history;
    insert into alert_dedupe (user_id, key, event_id, claimed_at)
      select user_id, 'job:' || id || ':job_failed', gen_random_uuid(), created_at from alert_history;
  `);
  await db.exec("vacuum analyze");
  process.stdout.write(`loaded ${quarter * 4} old rows in ${Math.round(ms(started))} ms\n`);
  let longest = 0;
  let last = performance.now();
  started = performance.now();
  const result = await runRetention(db, NOW, {
    days: 90,
    onBatch: () => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    },
  });
  const took = ms(started);
  const deleted = Object.values(result.deleted).reduce((a, b) => a + b, 0);
  process.stdout.write(
    `retention over ${deleted} old rows: ${Math.round(took)} ms, ${Math.round(deleted / (took / 1000))} rows/s, ` +
      `${result.batches} batches (longest ${longest.toFixed(0)} ms) ${JSON.stringify(result.deleted)}\n`,
  );
} finally {
  await db.close();
  await server.exec(`drop database if exists ${name} with (force)`);
  await server.close();
}
