/**
 * The inbox pass alone, in process on PGlite: 10 users × 10 webhooks (group
 * window 0), `EVENTS` job_failed events through `processInbox`, and the
 * round trips (every statement the pass sends, `begin`/`commit`/savepoints
 * included), wall and CPU milliseconds per event (CPU: PGlite runs on this
 * thread, so it is the pass's own cost on a shared machine). Repeats on fresh databases and
 * prints medians (`tsx bench/inbox-pass.ts [runs] [events]`).
 */
import { randomUUID } from "node:crypto";
import pino from "pino";
import { type EngineDeps, processInbox } from "../lib/alerts/alert.service";
import { insertEventAndNotify } from "../lib/alerts/sql/events";
import { parseConfig } from "../lib/config/config";
import { migrate } from "../lib/db/migrate";
import { createPgliteDb } from "../lib/db/pglite";
import type { Db, Queryable } from "../lib/db/types";

const RUNS = Number(process.argv[2] ?? 5);
const EVENTS = Number(process.argv[3] ?? 500);
const WARM_UP = 100;

/** The database, counting every statement sent inside its transactions. */
function counting(db: Db) {
  const count = { statements: 0 };
  const wrap = (tx: Queryable): Queryable => ({
    query: (text, params) => {
      count.statements++;
      return tx.query(text, params);
    },
    exec: (text) => {
      count.statements++;
      return tx.exec(text);
    },
  });
  const counted: Db = {
    ...db,
    kind: db.kind,
    query: db.query.bind(db),
    exec: db.exec.bind(db),
    listen: db.listen.bind(db),
    close: db.close.bind(db),
    transaction: (fn) => {
      count.statements += 2; // begin, commit
      return db.transaction((tx) => fn(wrap(tx)));
    },
  };
  return { db: counted, count };
}

async function run(): Promise<{ statements: number; ms: number; cpuMs: number }> {
  const raw = await createPgliteDb();
  await migrate(raw);
  const now = new Date("2026-03-01T12:00:00Z");
  const users: string[] = [];
  for (let u = 0; u < 10; u++) {
    const id = randomUUID();
    users.push(id);
    await raw.query("insert into auth.users (id, email) values ($1, $2)", [id, `${id}@bench.test`]);
    await raw.query(
      "insert into user_alert_preferences (user_id, email_enabled, group_window_seconds) values ($1, false, 0)",
      [id],
    );
    for (let w = 0; w < 10; w++) {
      await raw.query(
        `insert into user_webhooks (user_id, name, url, url_masked, webhook_type)
         values ($1, $2, 'ciphertext', 'https://example.test/…', 'generic')`,
        [id, `bench ${w}`],
      );
    }
  }
  let at = 0;
  const post = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const userId = users[i % users.length] as string;
      await insertEventAndNotify(
        raw,
        {
          id: randomUUID(),
          idempotencyKey: null,
          type: "job_failed",
          userId,
          jobId: randomUUID(),
          occurredAt: now,
          data: { model_name: "bench", error: "bench" },
          source: "api",
          receivedAt: new Date(now.getTime() + at++),
        },
        "bench_inbox",
      );
    }
  };
  const { db, count } = counting(raw);
  const deps: EngineDeps = {
    db,
    config: parseConfig({
      SUPABASE_JWT_SECRET: "x".repeat(32),
      ALERTS_SERVICE_KEY: "y".repeat(32),
      ALERTS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
      ALERTS_RATE_LIMIT_PER_HOUR: "100000",
      ALERTS_DATA_DIR: "./.data/bench",
    }),
    clock: () => now,
    log: pino({ level: "silent" }),
    queue: {
      notifyDeliveries: async () => {},
      scheduleNotice: async () => {},
      wake: () => {},
    },
  };
  await post(WARM_UP);
  while ((await processInbox(deps)) > 0);
  await post(EVENTS);
  count.statements = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  let processed = 0;
  for (;;) {
    const n = await processInbox(deps);
    if (n === 0) break;
    processed += n;
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  const { rows } = await raw.query<{ n: number }>(
    "select count(*)::int as n from alert_deliveries",
  );
  if (processed !== EVENTS || rows[0]?.n !== (EVENTS + WARM_UP) * 10)
    throw new Error(`processed ${processed}, deliveries ${rows[0]?.n}`);
  await raw.close();
  return { statements: count.statements / EVENTS, ms: ms / EVENTS, cpuMs: cpuMs / EVENTS };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const results: { statements: number; ms: number; cpuMs: number }[] = [];
for (let r = 0; r < RUNS; r++) {
  results.push(await run());
  const last = results.at(-1);
  console.log(
    `run ${r + 1}: ${last?.statements.toFixed(2)} statements/event, ${last?.ms.toFixed(3)} ms/event, ${last?.cpuMs.toFixed(3)} CPU ms/event`,
  );
}
console.log(
  `median of ${RUNS}: ${median(results.map((r) => r.statements)).toFixed(2)} statements/event, ${median(results.map((r) => r.ms)).toFixed(3)} ms/event, ${median(results.map((r) => r.cpuMs)).toFixed(3)} CPU ms/event`,
);
