import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import pg from "pg";
import { freePort } from "./next-server";

const run = promisify(execFile);

/** Names of the clusters this helper creates: `ta_faults_<pid of the test process>_<random>`. */
const PREFIX = "ta_faults_";

const INSTALL_HINT =
  "The PostgreSQL fault tests restart a PostgreSQL server of their own, made with Debian's " +
  "cluster tools (pg_createcluster, pg_ctlcluster, pg_dropcluster), run as root. Install them " +
  "with a server: `apt-get install -y postgresql` (or `postgresql-15 postgresql-common`).";

export interface PgCluster {
  /** e.g. "15". */
  version: string;
  name: string;
  port: number;
  /** Connection string of the `postgres` database as the bootstrap superuser, trust auth on 127.0.0.1. */
  adminUrl: string;
  /** Creates a database and answers its connection string (as the bootstrap superuser). */
  createDatabase(name: string): Promise<string>;
  /** `pg_ctlcluster … stop` (fast: open sessions are terminated). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** `pg_ctlcluster … restart`. */
  restart(): Promise<void>;
  /** Stops the server and deletes the cluster (data, configuration, log). */
  drop(): Promise<void>;
  /** The server's log so far (for failure messages). */
  log(): string;
}

/**
 * A throwaway PostgreSQL cluster on a free port, for tests that stop and
 * restart the server — never the machine's shared cluster, which other
 * tests use at the same time. Clusters left by an earlier run that died
 * (its process is gone) are dropped first. Missing tools are a failure that
 * says what to install, never a skip.
 */
export async function createPgCluster(
  options: {
    /** The bootstrap superuser's name (Supabase's image: `supabase_admin`); default `postgres`. */
    superuser?: string;
  } = {},
): Promise<PgCluster> {
  const superuser = options.superuser ?? "postgres";
  const version = await serverVersion();
  await dropLeftovers();
  const name = `${PREFIX}${process.pid}_${randomBytes(3).toString("hex")}`;
  const port = await freePort();
  await ctl("pg_createcluster", [
    version,
    name,
    "--port",
    String(port),
    "--start-conf",
    "manual",
    "--",
    "--auth=trust",
    `--username=${superuser}`,
  ]);
  const cluster: PgCluster = {
    version,
    name,
    port,
    adminUrl: `postgres://${superuser}@127.0.0.1:${port}/postgres`,
    async createDatabase(db) {
      const client = new pg.Client({ connectionString: cluster.adminUrl });
      await client.connect();
      try {
        await client.query(`create database ${pg.escapeIdentifier(db)}`);
      } finally {
        await client.end();
      }
      return `postgres://${superuser}@127.0.0.1:${port}/${db}`;
    },
    stop: () => pgCtl(version, name, "stop"),
    start: () => pgCtl(version, name, "start"),
    restart: () => pgCtl(version, name, "restart"),
    drop: () => ctl("pg_dropcluster", ["--stop", version, name]).then(() => {}),
    log: () => {
      const file = `/var/log/postgresql/postgresql-${version}-${name}.log`;
      return existsSync(file) ? readFileSync(file, "utf8") : "";
    },
  };
  try {
    await cluster.start();
  } catch (error) {
    await cluster.drop().catch(() => {});
    throw error;
  }
  return cluster;
}

/** The clusters on this machine, as `pg_lsclusters` lists them. */
export async function listClusters(): Promise<{ version: string; name: string; port: number }[]> {
  const { stdout } = await ctl("pg_lsclusters", ["--no-header"]);
  return stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 3)
    .map(([version = "", name = "", port = ""]) => ({ version, name, port: Number(port) }));
}

/** Whether `name` is one of this helper's clusters. */
export const isTestCluster = (name: string) => name.startsWith(PREFIX);

async function pgCtl(version: string, name: string, action: string): Promise<void> {
  // Without systemd (containers, CI) pg_ctlcluster must not hand over to systemctl.
  await ctl("pg_ctlcluster", ["--skip-systemctl-redirect", version, name, action]);
}

async function ctl(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(command, args, { timeout: 60_000 });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string; stdout?: string };
    if (e.code === "ENOENT") throw new Error(`${command} is not installed. ${INSTALL_HINT}`);
    throw new Error(
      `${command} ${args.join(" ")} failed: ${e.message}\n${e.stdout ?? ""}${e.stderr ?? ""}` +
        (process.getuid?.() === 0 ? "" : "\n(These tools need root.)"),
    );
  }
}

/** The newest PostgreSQL server installed where the cluster tools look (/usr/lib/postgresql/<v>). */
async function serverVersion(): Promise<string> {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && existsSync(`${root}/${v}/bin/postgres`))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const version = versions[0];
  if (!version) throw new Error(`No PostgreSQL server is installed in ${root}. ${INSTALL_HINT}`);
  return version;
}

/** Drops this helper's clusters whose test process no longer runs (a run that was killed). */
async function dropLeftovers(): Promise<void> {
  for (const c of await listClusters()) {
    const pid = Number(new RegExp(`^${PREFIX}(\\d+)_`).exec(c.name)?.[1]);
    if (!pid || alive(pid)) continue;
    await ctl("pg_dropcluster", ["--stop", c.version, c.name]);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
