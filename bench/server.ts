import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import net, { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { sleep } from "./http-client";

export const ROOT = path.resolve(import.meta.dirname, "..");
/**
 * The build the bench starts: this checkout's, or another's (`--server-root`,
 * e.g. an older commit's worktree, measured by this same bench).
 */
export const serverRoot = () => path.resolve(process.env.BENCH_SERVER_ROOT ?? ROOT);
export type Engine = "pglite" | "postgres";

/**
 * A port nobody listens on now: another server already on the port would
 * answer the health check, and the bench would measure the wrong process.
 */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** Fails with what to do when there is no production build to start. */
export function requireBuild(): void {
  if (!existsSync(path.join(serverRoot(), ".next", "BUILD_ID"))) {
    throw new Error(
      "npm run bench measures the production server (next start), and there is no build: .next/BUILD_ID is missing. Run `npm run build` first.",
    );
  }
}

export interface Secrets {
  jwtSecret: string;
  serviceKey: string;
  env: Record<string, string>;
}

export function makeSecrets(): Secrets {
  const jwtSecret = randomBytes(32).toString("base64url");
  const serviceKey = `ta_sk_${randomBytes(24).toString("base64url")}`;
  return {
    jwtSecret,
    serviceKey,
    env: {
      SUPABASE_JWT_SECRET: jwtSecret,
      ALERTS_SERVICE_KEY: serviceKey,
      ALERTS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      ALERTS_WEBHOOK_ALLOW_HTTP: "true",
      ALERTS_WEBHOOK_ALLOWED_CIDRS: "127.0.0.0/8",
      // The bench measures throughput, not the product's limits.
      ALERTS_RATE_LIMIT_PER_HOUR: "100000",
      ALERTS_API_RATE_LIMIT_PER_MINUTE: "0",
      ALERTS_INGEST_RATE_LIMIT_PER_MINUTE: "0",
      LOG_LEVEL: "warn",
    },
  };
}

/** A fresh PostgreSQL database for one run, dropped afterwards. */
export async function createDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const name = `ta_bench_${randomBytes(4).toString("hex")}`;
  const client = new pg.Client(admin);
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      if (process.env.BENCH_KEEP_DB) return console.error(`kept ${name}`);
      const c = new pg.Client(admin);
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface Proc {
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

function track(child: ChildProcess, what: string): Proc {
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
    if (stderr.length > 20_000) stderr = stderr.slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("exit", (code, signal) => {
    if (code !== 0 && signal !== "SIGTERM" && signal !== "SIGKILL" && !stopping)
      process.stderr.write(`${what} exited (${code ?? signal})\n${stderr}\n`);
  });
  let stopping = false;
  return {
    child,
    pid: child.pid ?? -1,
    async stop() {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

export interface Server extends Proc {
  base: string;
  dataDir: string;
  /** CPU time the server process used so far, ms (Linux /proc; PGlite's queries included, PostgreSQL's not). */
  cpuMs(): number;
  /** Resident set size of the server process, MB (Linux /proc). */
  rssMb(): number;
  /** Where the resident memory goes, MB: see `MemorySplit`. */
  memory(): Promise<MemorySplit>;
  /** The Node flags the server was started with. */
  nodeFlags: string[];
}

/**
 * Where the server's resident memory is, MB, from Linux's /proc/PID/smaps
 * and the server's own figures (bench/mem-probe.cjs, written when asked).
 * - `wasm`: WebAssembly memories (PGlite's), recognised as the read-write
 *   mapping that V8 reserves with a guard region of gigabytes behind it;
 * - `v8Heap`/`v8HeapUsed`: V8's heap (process.memoryUsage().heapTotal/heapUsed);
 * - `malloc`: glibc's main arena ([heap]) and per-thread arenas (64 MB-aligned);
 * - `files`: mapped files (node, native modules), shared with the page cache;
 * - `other`: everything else anonymous (code space, stacks, Node's buffers).
 */
export interface MemorySplit {
  rss: number;
  wasm: number;
  v8Heap?: number;
  v8HeapUsed?: number;
  malloc: number;
  files: number;
  other: number;
  /** Statements the server sent to its database so far (lib/db/statement-count.ts); absent in older builds. */
  statements?: { all: number; writes: number };
}

const MB = 2 ** 20;

function smaps(pid: number): Omit<MemorySplit, "v8Heap" | "v8HeapUsed"> {
  const maps: { start: number; end: number; perms: string; name: string; rss: number }[] = [];
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) {
      const [, start = "0", end = "0", perms = "", name = ""] = m;
      maps.push({ start: parseInt(start, 16), end: parseInt(end, 16), perms, name, rss: 0 });
      continue;
    }
    const last = maps.at(-1);
    if (last && line.startsWith("Rss:")) last.rss = Number(line.split(/\s+/)[1]) / 1024;
  }
  const out = { rss: 0, wasm: 0, malloc: 0, files: 0, other: 0 };
  maps.forEach((m, i) => {
    const next = maps[i + 1];
    out.rss += m.rss;
    if (m.name === "[heap]") out.malloc += m.rss;
    else if (m.name.startsWith("/")) out.files += m.rss;
    else if (
      m.perms === "rw-p" &&
      !m.name &&
      next?.perms === "---p" &&
      next.start === m.end &&
      next.end - next.start > 4 * 2 ** 30
    )
      out.wasm += m.rss;
    else if (
      m.perms === "rw-p" &&
      !m.name &&
      m.start % (64 * MB) === 0 &&
      m.end - m.start <= 64 * MB
    )
      out.malloc += m.rss;
    else out.other += m.rss;
  });
  return out;
}

/**
 * CPU time of this machine's PostgreSQL processes so far, ms (Linux /proc):
 * the backends' own plus what the postmaster collected from those that
 * exited. The bench's database is on the same machine and nothing else uses
 * it during a run, so a difference over a run is what PostgreSQL spent on it.
 */
export function postgresCpuMs(): number {
  let ms = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    if (stat.includes(" (postgres) ")) ms += cpuMsOf(stat, true);
  }
  return ms;
}

/**
 * A process's CPU time, ms, from its /proc/PID/stat line: utime + stime, and
 * with `children` what it collected from children that exited (cutime +
 * cstime). After "pid (comm) " the state is field 0, utime/stime 11/12,
 * cutime/cstime 13/14, in clock ticks (100 a second on Linux).
 */
function cpuMsOf(stat: string, children: boolean): number {
  const f = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
  const own = Number(f[11]) + Number(f[12]);
  return (children ? own + Number(f[13]) + Number(f[14]) : own) * 10;
}

interface LaunchFlags {
  embedded: string[];
  postgres?: string[];
  env?: Record<string, string>;
}

const launchFlags = (): LaunchFlags =>
  JSON.parse(
    readFileSync(path.join(serverRoot(), "scripts", "server-node-flags.json"), "utf8"),
  ) as LaunchFlags;

/** The Node flags `npm start` (scripts/start.mjs) gives the server for this environment. */
export function serverNodeFlags(env: Record<string, string>): string[] {
  const flags = launchFlags();
  // An older checkout's file may have no `postgres` entry: no flags then, as its npm start.
  return env.DATABASE_URL ? (flags.postgres ?? []) : flags.embedded;
}

/** The environment `npm start` adds for the server (malloc's settings); none in older checkouts. */
export const serverLaunchEnv = (): Record<string, string> => launchFlags().env ?? {};

/** `next start` on 127.0.0.1, with the Node flags of `npm start`; resolves once /api/health answers 200 with the expected worker state. */
export async function startServer(opts: {
  port: number;
  env: Record<string, string>;
  worker: "inline" | "off";
  cpuProfDir?: string;
  /** Appends the server's stdout (JSON logs) to this file. */
  logFile?: string;
  /** Extra Node options for the server process (e.g. V8 heap flags to compare). */
  nodeArgs?: string[];
  /** An existing data directory (a restart); default a fresh one, removed on stop. */
  dataDir?: string;
}): Promise<Server> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), "ta-bench-"));
  const memFile = path.join(dataDir, "memory.json");
  const nodeFlags = [...serverNodeFlags(opts.env), ...(opts.nodeArgs ?? [])];
  const args = [
    ...nodeFlags,
    "--require",
    path.join(ROOT, "bench/mem-probe.cjs"),
    ...(opts.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.cpuProfDir}`] : []),
    path.join(serverRoot(), "node_modules/next/dist/bin/next"),
    "start",
    "-p",
    String(opts.port),
    "-H",
    "127.0.0.1",
  ];
  const child = spawn(process.execPath, args, {
    cwd: serverRoot(),
    env: {
      NODE_ENV: "production",
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? tmpdir(),
      ...serverLaunchEnv(),
      ...opts.env,
      PORT: String(opts.port),
      HOSTNAME: "127.0.0.1",
      ALERTS_DATA_DIR: dataDir,
      ALERTS_WORKER: opts.worker,
      BENCH_MEM_FILE: memFile,
    },
    stdio: ["ignore", opts.logFile ? openSync(opts.logFile, "a") : "ignore", "pipe"],
  });
  const proc = track(child, "next start");
  const base = `http://127.0.0.1:${opts.port}`;
  const want = opts.worker === "inline" ? "running" : "off";
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${base}/api/health`);
      // Our child must still be running: a health answer from another process doesn't count.
      if (
        res.ok &&
        child.exitCode === null &&
        ((await res.json()) as { worker: string }).worker === want
      )
        break;
    } catch {}
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error("next start did not become healthy in 60 s");
    }
    await sleep(100);
  }
  return {
    ...proc,
    base,
    dataDir,
    nodeFlags,
    cpuMs() {
      return cpuMsOf(readFileSync(`/proc/${child.pid}/stat`, "utf8"), false);
    },
    rssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
      return kb / 1024;
    },
    async memory() {
      const split: MemorySplit = smaps(child.pid ?? -1);
      const asked = Date.now();
      child.kill("SIGUSR2");
      let probe: Record<string, number> & { statements?: MemorySplit["statements"] } = {};
      for (let i = 0; i < 100 && !((probe.at ?? 0) >= asked); i++) {
        await sleep(20);
        try {
          probe = JSON.parse(readFileSync(memFile, "utf8")) as Record<string, number>;
        } catch {}
      }
      split.v8Heap = (probe.heapTotal ?? 0) / MB;
      split.v8HeapUsed = (probe.heapUsed ?? 0) / MB;
      if (probe.statements) split.statements = probe.statements;
      split.other -= split.v8Heap;
      return split;
    },
    async stop() {
      await proc.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A standalone worker (`scripts/worker.ts`), ready when it prints `worker <pid> ready`. */
export async function startWorkerProcess(opts: {
  env: Record<string, string>;
  cpuProfDir?: string;
}): Promise<Proc> {
  const child = spawn(
    process.execPath,
    [
      ...(opts.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.cpuProfDir}`] : []),
      "--import",
      "tsx",
      "scripts/worker.ts",
    ],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? tmpdir(),
        NODE_ENV: "production",
        ALERTS_DATA_DIR: path.join(tmpdir(), "ta-bench-worker"),
        ...opts.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const proc = track(child, "worker");
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("worker not ready in 60 s")), 60_000);
    let buf = "";
    child.stdout?.setEncoding("utf8").on("data", (c: string) => {
      buf += c;
      if (buf.includes(`worker ${child.pid} ready`)) {
        clearTimeout(timer);
        resolve();
      }
      if (buf.length > 10_000) buf = buf.slice(-1000);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}) before it was ready`));
    });
  });
  return proc;
}
