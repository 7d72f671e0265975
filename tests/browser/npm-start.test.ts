import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/next-server";
import { waitUntil } from "../helpers/wait";

/*
 * `npm start` as a newcomer runs it, stopped the way a process manager or
 * `kill <pid>` stops it: SIGTERM to the npm process must stop the whole
 * server, leaving no `next-server` behind. Runs against the existing build
 * (npm start would otherwise build first).
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const SOURCES = ["app", "lib", "next.config.ts", "instrumentation.ts", "instrumentation-node.ts"];

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(p).map((f) => newestMtime(path.join(p, f))));
}

/** Every process whose parent chain leads to `root` (Linux /proc). */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // pid (comm) state ppid …; comm may contain spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parent.set(Number(name), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  for (const pid of parent.keys()) {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === root) {
        found.push(pid);
        break;
      }
    }
  }
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let child: ChildProcess | undefined;
const dataDir = mkdtempSync(path.join(tmpdir(), "ta-npm-start-"));
afterAll(() => {
  if (child?.pid && alive(child.pid)) child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

describe("npm start", () => {
  it("stops the whole server on SIGTERM to the npm process: no process is left behind", async () => {
    const built = existsSync(path.join(ROOT, ".next", "BUILD_ID"))
      ? statSync(path.join(ROOT, ".next", "BUILD_ID")).mtimeMs
      : 0;
    const stale = SOURCES.some((s) => newestMtime(path.join(ROOT, s)) > built);
    if (stale)
      throw new Error("The build is missing or older than the sources: run `npm run build` first.");

    const port = await freePort();
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (
        v !== undefined &&
        !/^(DATABASE_URL|SUPABASE_|NEXT_PUBLIC_|ALERTS_|HOSTNAME|NODE_ENV)/.test(k)
      )
        env[k] = v;
    }
    Object.assign(env, { PORT: String(port), ALERTS_DATA_DIR: dataDir });
    const npm = spawn("npm", ["start"], {
      cwd: ROOT,
      env: env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = npm;
    let output = "";
    npm.stdout?.on("data", (c: Buffer) => {
      output += c.toString();
    });
    npm.stderr?.on("data", (c: Buffer) => {
      output += c.toString();
    });
    const npmPid = npm.pid ?? -1;
    const exited = new Promise<number | null>((resolve) =>
      npm.once("exit", (code) => resolve(code)),
    );

    await waitUntil(
      "npm start to answer /api/health",
      async () => {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/api/health`);
          return res.ok;
        } catch {
          return false;
        }
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    // Start-up says what local mode allows.
    expect(output).toContain("loopback (127.0.0.0/8, ::1)");
    const tree = descendants(npmPid);
    expect(tree.length).toBeGreaterThan(0);

    process.kill(npmPid, "SIGTERM");
    await exited;
    await waitUntil(
      `every process npm start began (${tree.join(", ")}) to exit`,
      () => tree.every((pid) => !alive(pid)),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    await expect(fetch(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow();
  });
});
