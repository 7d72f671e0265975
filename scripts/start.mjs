// `npm start`: builds the app when there is no build or the sources are newer
// than it, then serves it. In local mode (no auth configured) it listens on
// 127.0.0.1 only, unless HOSTNAME says otherwise.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const next = path.join(root, "node_modules", "next", "dist", "bin", "next");
const buildId = path.join(root, ".next", "BUILD_ID");
const SOURCES = [
  "app",
  "lib",
  "next.config.ts",
  "instrumentation.ts",
  "instrumentation-node.ts",
  "package-lock.json",
];

function newestMtime(p) {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(p).map((f) => newestMtime(path.join(p, f))));
}

const built = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
const stale = SOURCES.some((s) => newestMtime(path.join(root, s)) > built);
if (stale || process.argv.includes("--rebuild")) {
  console.log(
    built ? "Sources changed since the last build; rebuilding…" : "No build yet; building (once)…",
  );
  const result = spawnSync(process.execPath, [next, "build"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const env = process.env;
const localMode = !env.SUPABASE_JWT_SECRET && !env.SUPABASE_URL;
const hostname = env.HOSTNAME || (localMode ? "127.0.0.1" : "0.0.0.0");
const port = env.PORT || "3000";
// The server's Node flags are chosen for its memory (measured with
// `npm run bench`, which starts the server with the same flags):
// - --max-old-space-size=1024: the JS heap limit V8 sets itself on a 4 GB
//   machine. Below 2 GB, V8 lets the heap grow to about 1.6× the live data
//   between collections instead of 4×: after the load, 110 MB instead of
//   160–210 MB for 55–80 MB live on the embedded database, and 189 instead
//   of 207 MB resident on PostgreSQL, at the same deliveries/s.
// - --v8-pool-size=1, on the embedded database only (where one process
//   serves the web, runs the worker and PGlite): V8's background threads (4
//   by default) compile PGlite's WebAssembly and help the GC; each keeps its
//   own malloc arena, together 70–120 MB after the benchmark load. One thread
//   keeps 20–40 MB; ingest measured the same.
// And one environment variable (`env`), which glibc's malloc reads at start:
// - MALLOC_MMAP_THRESHOLD_=131072: every block of 128 KB or more gets its own
//   mapping, given back to the system when it is freed. By default glibc
//   raises that threshold each time such a block is freed (up to 32 MB), so
//   the large buffers of a load (PGlite's query results, request bodies)
//   end up in the heap, which fragments and stays resident: 55–75 MB of
//   malloc after the benchmark load instead of 30–35 MB on the embedded
//   database, at the same deliveries/s. A value set in the environment wins.
const flags = JSON.parse(
  readFileSync(path.join(root, "scripts", "server-node-flags.json"), "utf8"),
);
const nodeFlags = env.DATABASE_URL ? flags.postgres : flags.embedded;
const child = spawn(process.execPath, [...nodeFlags, next, "start", "-p", port, "-H", hostname], {
  cwd: root,
  env: { ...flags.env, ...env },
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
