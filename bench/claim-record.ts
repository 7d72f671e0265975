/**
 * Claiming and recording on the database alone (issue 14): `deliveries` due
 * deliveries to ten webhooks, claimed 25 at a time and recorded as delivered
 * 35 at a time (as a busy worker's claims and group commits do), on an
 * in-process PGlite, or on TEST_DATABASE_URL's server. Each round adds that
 * many; the first is a warm-up. Prints the medians over the rounds of ms and
 * statements per claim and per recording.
 *   npx tsx bench/claim-record.ts [deliveries=1000] [rounds=5]
 * PROFILE=1 adds the mean ms of each statement in the transactions;
 * EXPLAIN=1 the plan (EXPLAIN ANALYZE, rolled back) of each in the last round.
 */
import { randomUUID } from "node:crypto";
import type { DeliveryDeps } from "@/lib/alerts/delivery/delivery.types";
import { recordOutcomes, type SentAttempt } from "@/lib/alerts/delivery/record";
import { type ClaimedDelivery, claimDueDeliveries } from "@/lib/alerts/sql/claim-due-deliveries";
import { statementCount } from "@/lib/db/statement-count";
import type { Queryable } from "@/lib/db/types";
import { createTestDb } from "@/tests/helpers/db";

const N = Number(process.argv[2] ?? 1000);
const ROUNDS = Number(process.argv[3] ?? 5);
const CLAIM = 25;
const RECORD = 35;
const HOOKS = 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const testDb = await createTestDb();
const db = testDb.db;
const userId = randomUUID();
await db.query("select alerts_ensure_user($1::uuid, 'bench@example.com')", [userId]);
const hooks: string[] = [];
for (let i = 0; i < HOOKS; i++) {
  const { rows } = await db.query<{ id: string }>(
    "insert into user_webhooks (user_id, name, url) values ($1, $2, 'x') returning id",
    [userId, `h${i}`],
  );
  hooks.push(rows[0]?.id ?? "");
}

const profile = new Map<string, { n: number; ms: number }>();
const explained = new Set<string>();
let explainNow = false;
if (process.env.PROFILE || process.env.EXPLAIN) {
  const transaction = db.transaction.bind(db);
  db.transaction = (<T>(fn: (tx: Queryable) => Promise<T>) =>
    transaction((tx) => {
      const timed: Queryable = Object.create(tx);
      timed.query = (async (text: string, params?: unknown[]) => {
        const key = text.replace(/\s+/g, " ").slice(0, 60);
        if (explainNow && !explained.has(key)) {
          explained.add(key);
          await tx.exec("savepoint explain");
          const { rows } = await tx.query<Record<string, string>>(
            `explain (analyze, costs off) ${text}`,
            params,
          );
          await tx.exec("rollback to savepoint explain");
          const plan = rows.map((r) => Object.values(r)[0]).join("\n");
          console.log(`--- ${key}\n${plan.replace(/'\{[^}]*\}'/g, "'{...}'")}`);
        }
        const start = performance.now();
        try {
          return await tx.query(text, params);
        } finally {
          const p = profile.get(key) ?? { n: 0, ms: 0 };
          p.n++;
          p.ms += performance.now() - start;
          profile.set(key, p);
        }
      }) as Queryable["query"];
      return fn(timed);
    })) as typeof db.transaction;
}

let clockMs = Date.parse("2026-01-01T00:00:00Z");
const deps = {
  db,
  clock: () => new Date(clockMs),
  config: { webhooks: { retryScheduleSeconds: [1, 5, 30], disableAfter: 10 } },
  queue: { wake() {} },
  log: { info() {}, warn() {}, error() {}, debug() {} },
} as unknown as DeliveryDeps;

async function seed(n: number) {
  const at = new Date(clockMs);
  await db.query(
    `with a as (
       insert into alert_history (user_id, alert_type, title, message, created_at)
       select $1, 'job_started', 't' || g, 'm', $2 from generate_series(1, $3) g returning id
     )
     insert into alert_deliveries (alert_id, user_id, channel, webhook_id, status, next_attempt_at,
                                   created_at, updated_at)
     select a.id, $1, 'webhook', ($4::uuid[])[1 + (row_number() over () % $5)], 'pending', $2, $2, $2
     from a`,
    [userId, at, n, hooks, HOOKS],
  );
  // As the embedded worker's maintenance does (autovacuum on PostgreSQL): plans know the tables' size.
  await db.exec("vacuum (analyze) alert_deliveries, alert_history");
}

const ms = { claim: [] as number[], record: [] as number[] };
// CPU of this process (on PGlite the database's work; on PostgreSQL only the client's): steadier on a shared machine.
const cpu = { claim: [] as number[], record: [] as number[] };
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const statements = { claim: [] as number[], record: [] as number[] };
for (let round = 0; round <= ROUNDS; round++) {
  await seed(N);
  clockMs += 1000;
  explainNow = process.env.EXPLAIN !== undefined && round === ROUNDS;
  const claimed: ClaimedDelivery[] = [];
  let claimMs = 0;
  let claims = 0;
  const claimCpu = cpuMs();
  const claimStatements = statementCount().all;
  for (;;) {
    const start = performance.now();
    const batch = await db.transaction((tx) =>
      claimDueDeliveries(tx, {
        now: deps.clock(),
        leaseUntil: new Date(clockMs + 30_000),
        limit: CLAIM,
      }),
    );
    if (batch.length === 0) break;
    claimMs += performance.now() - start;
    claims++;
    claimed.push(...batch);
  }
  const claimCount = statementCount().all - claimStatements - 1; // the last, empty claim
  const claimCpuMs = cpuMs() - claimCpu;
  if (claimed.length !== N) throw new Error(`claimed ${claimed.length} of ${N}`);
  let recordMs = 0;
  let recordings = 0;
  const recordStatements = statementCount().all;
  const recordCpu = cpuMs();
  for (let i = 0; i < claimed.length; i += RECORD) {
    const sent: SentAttempt[] = claimed.slice(i, i + RECORD).map((d) => ({
      claimed: d,
      result: { verdict: "delivered", statusCode: 200, error: null, durationMs: 3 },
    }));
    const start = performance.now();
    const outcomes = await recordOutcomes(deps, sent);
    recordMs += performance.now() - start;
    recordings++;
    if (outcomes.some((o) => o !== "delivered")) throw new Error(`not recorded: ${outcomes}`);
  }
  const recordCpuMs = cpuMs() - recordCpu;
  if (round === 0) continue;
  cpu.claim.push(claimCpuMs / claims);
  cpu.record.push(recordCpuMs / recordings);
  ms.claim.push(claimMs / claims);
  ms.record.push(recordMs / recordings);
  statements.claim.push(claimCount / claims);
  statements.record.push((statementCount().all - recordStatements) / recordings);
}
const { rows: summaries } = await db.query<{ status: string; n: number }>(
  "select status, count(*)::int as n from alert_history group by status",
);
if (summaries.some((s) => s.status !== "sent")) throw new Error(JSON.stringify(summaries));
for (const [k, v] of profile) console.log(`${(v.ms / v.n).toFixed(3)} ms  x${v.n}  ${k}`);
const round2 = (xs: number[]) => xs.map((x) => Math.round(x * 100) / 100);
console.log(
  JSON.stringify({
    engine: process.env.TEST_DATABASE_URL ? "postgres" : "pglite",
    deliveries: N,
    rounds: ROUNDS,
    claimMs: round2([median(ms.claim)])[0],
    recordMs: round2([median(ms.record)])[0],
    claimCpuMs: round2([median(cpu.claim)])[0],
    recordCpuMs: round2([median(cpu.record)])[0],
    claimStatements: median(statements.claim),
    recordStatements: median(statements.record),
    claimMsEach: round2(ms.claim),
    recordMsEach: round2(ms.record),
  }),
);
await testDb.drop();
