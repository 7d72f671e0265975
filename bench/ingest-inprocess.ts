// PGlite ingest without HTTP: events go through the POST /api/alerts/events
// route handler, called with real Requests, while the inline worker turns
// them into alerts, all in this process on a fresh PGlite data directory.
// It separates the cost of PGlite and the engine (CPU ms per event; all
// threads, as process.cpuUsage() counts them) from Next's HTTP handling,
// which `npm run bench` measures with it. Run a few rounds: the first one
// includes compiling PGlite's WebAssembly.
//   npx tsx bench/ingest-inprocess.ts [-- --events 1500 --rounds 3 --concurrency 16]
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { sleep } from "./http-client";
import { makeSecrets } from "./server";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "1500" },
    rounds: { type: "string", default: "3" },
    concurrency: { type: "string", default: "16" },
  },
});
const N = Number(values.events);
const C = Number(values.concurrency);

const dir = mkdtempSync(path.join(tmpdir(), "ta-ingest-"));
const { jwtSecret, serviceKey, env } = makeSecrets();
// The configuration is read from the environment when the context starts.
Object.assign(process.env, { ...env, ALERTS_DATA_DIR: dir });
const { getContext } = await import("../lib/server/context");
const { startWorker } = await import("../lib/engine/worker");
const { POST } = await import("../app/api/alerts/events/route");
const { PUT } = await import("../app/api/alerts/preferences/route");
const { signUserToken } = await import("../lib/http/tokens");

const noParams = { params: Promise.resolve({}) };
const ctx = await getContext();
const worker = await startWorker(ctx);
try {
  // A user with no channels: the route's work and the worker's decision, no deliveries.
  const userId = randomUUID();
  const token = await signUserToken(jwtSecret, { sub: userId, email: `${userId}@bench.test` });
  const prefs = await PUT(
    new Request("http://localhost/api/alerts/preferences", {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ email_enabled: false }),
    }),
    noParams,
  );
  if (prefs.status !== 200) throw new Error(`preferences: ${prefs.status}`);
  const post = async () => {
    const res = await POST(
      new Request("http://localhost/api/alerts/events", {
        method: "POST",
        headers: { authorization: `Bearer ${serviceKey}`, "content-type": "application/json" },
        body: JSON.stringify({
          type: "job_failed",
          user_id: userId,
          job_id: randomUUID(),
          data: { model_name: "bench", error: "bench" },
        }),
      }),
      noParams,
    );
    if (res.status !== 202) throw new Error(`event: ${res.status} ${await res.text()}`);
  };
  const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
  for (let round = 0; round < Number(values.rounds); round++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let started = 0;
    await Promise.all(
      Array.from({ length: C }, async () => {
        while (started++ < N) await post();
      }),
    );
    const accepted = performance.now() - t0;
    for (const deadline = Date.now() + 120_000; ; await sleep(20)) {
      const { rows } = await ctx.db.query<{ n: number }>(
        "select count(*)::int as n from alert_events where processed_at is null",
      );
      if (rows[0]?.n === 0) break;
      if (Date.now() > deadline) throw new Error("the inbox did not drain in 120 s");
    }
    const processed = performance.now() - t0;
    const m = process.memoryUsage();
    console.log(
      `round ${round}: ${N} events accepted in ${accepted.toFixed(0)} ms (${((N / accepted) * 1000).toFixed(0)}/s), ` +
        `processed in ${processed.toFixed(0)} ms; CPU ${(cpuMs(process.cpuUsage(cpu0)) / N).toFixed(2)} ms/event; ` +
        `rss ${(m.rss / 2 ** 20).toFixed(0)} MB`,
    );
  }
} finally {
  await worker.stop(5000);
  await ctx.db.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
