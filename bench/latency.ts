// Event → webhook latency through the real production server (`next start`):
// POST /api/alerts/events at a steady rate, a local receiver timestamps each
// arrival. Prints p50/p99 from the POST and from the 202, and writes JSON.
//   npm run bench:latency [-- --events 200 --rate 20 --engine pglite|postgres]
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { signUserToken } from "../lib/http/tokens";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "200" },
    rate: { type: "string", default: "20" },
    engine: { type: "string", default: "pglite" },
    port: { type: "string", default: "3190" },
  },
});
const EVENTS = Number(values.events);
const RATE = Number(values.rate);
const PORT = Number(values.port);
const root = path.resolve(import.meta.dirname, "..");

const secret = randomBytes(32).toString("base64url");
const serviceKey = `ta_sk_${randomBytes(24).toString("base64url")}`;
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PORT: String(PORT),
  SUPABASE_JWT_SECRET: secret,
  ALERTS_SERVICE_KEY: serviceKey,
  ALERTS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  ALERTS_DATA_DIR: mkdtempSync(path.join(tmpdir(), "ta-bench-")),
  ALERTS_WEBHOOK_ALLOW_HTTP: "true",
  ALERTS_WEBHOOK_ALLOWED_CIDRS: "127.0.0.0/8",
  ALERTS_RATE_LIMIT_PER_HOUR: "100000",
  LOG_LEVEL: "warn",
  HOSTNAME: "127.0.0.1",
};

let dropDb: (() => Promise<void>) | undefined;
if (values.engine === "postgres") {
  const admin = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const name = `ta_bench_${randomBytes(4).toString("hex")}`;
  const client = new pg.Client(admin);
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  env.DATABASE_URL = url.toString();
  dropDb = async () => {
    const c = new pg.Client(admin);
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  };
}

// The receiver.
const arrivals = new Map<string, number>();
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const at = performance.now();
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
      data: { marker?: string };
    };
    if (body.data.marker) arrivals.set(body.data.marker, at);
    res.writeHead(200).end();
  });
});
receiver.listen(0, "127.0.0.1");
await new Promise((r) => receiver.once("listening", r));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

// The server, built beforehand by `npm run build`.
const server: ChildProcess = spawn(
  process.execPath,
  [
    path.join(root, "node_modules/next/dist/bin/next"),
    "start",
    "-p",
    String(PORT),
    "-H",
    "127.0.0.1",
  ],
  { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] },
);
const base = `http://127.0.0.1:${PORT}`;
for (let i = 0; ; i++) {
  try {
    const res = await fetch(`${base}/api/health`);
    if (res.ok && (await res.json()).worker === "running") break;
  } catch {}
  if (i > 600) throw new Error("server did not become healthy");
  await new Promise((r) => setTimeout(r, 100));
}

const userId = randomUUID();
const token = await signUserToken(secret, { sub: userId, email: "bench@example.com" });
await fetch(`${base}/api/alerts/preferences`, {
  method: "PUT",
  headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  body: JSON.stringify({ email_enabled: false }),
});
const created = await fetch(`${base}/api/alerts/webhooks`, {
  method: "POST",
  headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  body: JSON.stringify({ name: "bench", url: receiverUrl, secret: "generate" }),
});
if (created.status !== 201)
  throw new Error(`webhook create: ${created.status} ${await created.text()}`);

const sentAt = new Map<string, number>();
const ackAt = new Map<string, number>();
const interval = 1000 / RATE;
const started = performance.now();
const posts: Promise<void>[] = [];
for (let i = 0; i < EVENTS; i++) {
  const due = started + i * interval;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const marker = `m${i}`;
  sentAt.set(marker, performance.now());
  posts.push(
    fetch(`${base}/api/alerts/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${serviceKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        type: "job_failed",
        user_id: userId,
        job_id: randomUUID(),
        data: { marker, model_name: "bench" },
      }),
    }).then(async (res) => {
      ackAt.set(marker, performance.now());
      if (res.status !== 202) throw new Error(`ingest: ${res.status} ${await res.text()}`);
    }),
  );
}
await Promise.all(posts);
for (let i = 0; arrivals.size < EVENTS; i++) {
  if (i > 600) throw new Error(`only ${arrivals.size} of ${EVENTS} arrived`);
  await new Promise((r) => setTimeout(r, 100));
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const fromPost = [...sentAt].map(([m, t]) => (arrivals.get(m) ?? Number.NaN) - t);
const fromAck = [...ackAt].map(([m, t]) => (arrivals.get(m) ?? Number.NaN) - t);
const postToAck = [...ackAt].map(([m, t]) => t - (sentAt.get(m) ?? Number.NaN));
const result = {
  engine: values.engine,
  events: EVENTS,
  rate_per_s: RATE,
  post_to_webhook_ms: {
    p50: pct(fromPost, 50),
    p99: pct(fromPost, 99),
    max: Math.max(...fromPost),
  },
  ack_to_webhook_ms: { p50: pct(fromAck, 50), p99: pct(fromAck, 99), max: Math.max(...fromAck) },
  post_to_ack_ms: { p50: pct(postToAck, 50), p99: pct(postToAck, 99), max: Math.max(...postToAck) },
  at: new Date().toISOString(),
};
console.table({
  "POST → webhook (ms)": result.post_to_webhook_ms,
  "202 → webhook (ms)": result.ack_to_webhook_ms,
  "POST → 202 (ms)": result.post_to_ack_ms,
});
mkdirSync(path.join(root, "bench-results"), { recursive: true });
writeFileSync(
  path.join(root, "bench-results", `latency-${values.engine}.json`),
  `${JSON.stringify(result, null, 2)}\n`,
);

server.kill("SIGTERM");
receiver.close();
await new Promise((r) => server.once("exit", r));
await dropDb?.();
process.exit(0);
