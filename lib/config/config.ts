import { createHash } from "node:crypto";
import ipaddr from "ipaddr.js";
import { z } from "zod";
import { type CidrRange, parseCidr } from "../security/cidr-range";

/**
 * The service's configuration, parsed once at start-up from the environment
 * (DESIGN.md §3). Features receive this object; they never read `process.env`.
 */
export interface Config {
  /** HTTP port. Default 3000. */
  port: number;
  /** Interface to listen on; 127.0.0.1 in local mode unless `HOSTNAME` is set. */
  hostname: string | undefined;
  /** PostgreSQL connection string; undefined selects embedded PGlite. */
  databaseUrl: string | undefined;
  /** PGlite directory, local-mode secrets and the file outbox. Default `./.data`. */
  dataDir: string;
  auth: {
    /** HS256 secret that signs user access tokens. */
    jwtSecret: string | undefined;
    /** Supabase project URL; user tokens are verified against its JWKS. */
    supabaseUrl: string | undefined;
  };
  /**
   * Supabase Auth for the web UI's sign-in (`NEXT_PUBLIC_SUPABASE_URL`,
   * `NEXT_PUBLIC_SUPABASE_ANON_KEY`); undefined when the UI has no Supabase
   * sign-in (local mode offers a dev sign-in instead). `oauthProviders`
   * (`ALERTS_SUPABASE_OAUTH_PROVIDERS`, e.g. `github,google`) are offered
   * beside password and magic link; default none.
   */
  webAuth: { supabaseUrl: string; anonKey: string; oauthProviders: string[] } | undefined;
  /** Bearer key for trusted producers (training servers, agents). */
  serviceKey: string;
  /** Keys that encrypt webhook URLs and secrets at rest; the first one encrypts. */
  encryptionKeys: EncryptionKey[];
  smtpUrl: string | undefined;
  /** Sender address. Default `alerts@localhost`. */
  emailFrom: string;
  /**
   * Base of links in alerts. Default: the address the server announces
   * (`http://$HOSTNAME:$PORT`, so `http://127.0.0.1:$PORT` in local mode and
   * links keep the session cookie), or `http://localhost:$PORT` when it listens
   * on every interface.
   */
  appUrl: string;
  /** `inline`: the worker runs in the web process; `off`: run `npm run worker` elsewhere. */
  worker: "inline" | "off";
  /**
   * How long a stopping worker (SIGTERM; inline or standalone alike) gives
   * pg-boss's handlers before it stops them; claimed sends always finish and
   * are recorded. Default 15 s (`ALERTS_WORKER_GRACE_MS`).
   */
  workerGraceMs: number;
  /** The log's level (`LOG_LEVEL`): one of `LOG_LEVELS`. Default `info`. */
  logLevel: LogLevel;
  webhooks: {
    /** Allow `http://` webhook URLs. Default false. */
    allowHttp: boolean;
    /**
     * CIDRs exempt from the private-address block, parsed once here. Default none; in local mode,
     * when neither webhook variable is set, loopback only (127.0.0.0/8, ::1).
     */
    allowedCidrs: CidrRange[];
    /**
     * True when local mode's default applied: `http://` and loopback allowed so
     * a receiver on the developer's machine works (never private or link-local ranges).
     */
    localReceivers: boolean;
    /** Seconds before each retry of a failed delivery. */
    retryScheduleSeconds: number[];
    /** Consecutive failed deliveries that disable a webhook. Default 10. */
    disableAfter: number;
  };
  /** Alerts per user per rolling hour before suppression. Default 60. */
  rateLimitPerHour: number;
  /**
   * Requests per minute the API itself accepts (token buckets, per process;
   * `lib/http/rate-limit.ts`). 0 turns a limit off.
   */
  apiRateLimit: {
    /** Per user, across the user-token routes. Default 600 (`ALERTS_API_RATE_LIMIT_PER_MINUTE`). */
    userPerMinute: number;
    /** For the service key, across the producer routes. Default 6000 (`ALERTS_INGEST_RATE_LIMIT_PER_MINUTE`). */
    ingestPerMinute: number;
  };
  /** Minutes without progress before `timeout_warning`. Default 30. */
  timeoutMinutes: number;
  /** Disk usage that raises `disk_warning`. Default 90. */
  diskThresholdPercent: number;
  /** Refuse to start without real secrets. Default false. */
  requireConfig: boolean;
  /**
   * Days of history, deliveries, processed events and finished report runs
   * kept by the daily retention job (`lib/alerts/retention.ts`); 0 keeps all.
   * Default 90. Dedupe keys are kept at least 7 days whatever this says.
   */
  retentionDays: number;
  /** Bearer token that may read `GET /api/metrics` (besides the service key). Default none. */
  metricsToken: string | undefined;
  /** Standalone workers serve Prometheus metrics on this port (`/metrics`). Default off. */
  workerMetricsPort: number | undefined;
  /** True when no auth is configured: dev secrets, dev sign-in, loopback only. */
  localMode: boolean;
}

export interface EncryptionKey {
  /** Short id stored beside each ciphertext so keys can rotate. */
  id: string;
  key: Buffer;
}

/** The log levels `LOG_LEVEL` takes (pino's). */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Raised when the environment is unusable; the message names the variable and the fix. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const bool = () =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"], {
      error: "must be true or false",
    })
    .transform((v) => v === "true" || v === "1" || v === "yes");

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: "must be a whole number" })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    );

const url = () => z.url({ error: "must be an absolute URL such as https://example.com" });

const envSchema = z.object({
  PORT: int(1, 65535).default(3000),
  HOSTNAME: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, {
      error: "must be a postgres:// connection string",
    })
    .optional(),
  ALERTS_DATA_DIR: z.string().min(1).default("./.data"),
  SUPABASE_JWT_SECRET: z.string().min(32, { error: "must be at least 32 characters" }).optional(),
  SUPABASE_URL: url().optional(),
  ALERTS_SERVICE_KEY: z.string().min(24, { error: "must be at least 24 characters" }).optional(),
  ALERTS_ENCRYPTION_KEY: z.string().optional(),
  ALERTS_ENCRYPTION_KEYS_OLD: z.string().optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, { error: "must look like smtp://user:pass@host:587" })
    .optional(),
  ALERTS_EMAIL_FROM: z
    .string()
    .min(3, { error: "must be an email address" })
    .default("alerts@localhost"),
  ALERTS_APP_URL: url().optional(),
  ALERTS_WORKER: z.enum(["inline", "off"], { error: "must be inline or off" }).default("inline"),
  ALERTS_WORKER_GRACE_MS: int(0, 600_000).default(15_000),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` })
    .default("info"),
  ALERTS_WEBHOOK_ALLOW_HTTP: bool().default(false),
  ALERTS_WEBHOOK_ALLOWED_CIDRS: z.string().default(""),
  ALERTS_WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, {
      error: "must be comma-separated seconds, e.g. 5,300,1800",
    })
    .default("5,300,1800,7200,18000,36000,36000"),
  ALERTS_WEBHOOK_DISABLE_AFTER: int(1, 1000).default(10),
  ALERTS_RATE_LIMIT_PER_HOUR: int(1, 100000).default(60),
  ALERTS_API_RATE_LIMIT_PER_MINUTE: int(0, 1_000_000).default(600),
  ALERTS_INGEST_RATE_LIMIT_PER_MINUTE: int(0, 10_000_000).default(6000),
  ALERTS_TIMEOUT_MINUTES: int(1, 10080).default(30),
  ALERTS_DISK_THRESHOLD_PERCENT: int(1, 100).default(90),
  ALERTS_REQUIRE_CONFIG: bool().default(false),
  ALERTS_RETENTION_DAYS: int(0, 36500).default(90),
  ALERTS_METRICS_TOKEN: z.string().min(16, { error: "must be at least 16 characters" }).optional(),
  ALERTS_WORKER_METRICS_PORT: int(1, 65535).optional(),
  NEXT_PUBLIC_SUPABASE_URL: url().optional(),
  NEXT_PUBLIC_SUPABASE_ANON_KEY: z
    .string()
    .min(20, { error: "must be the project's anon key" })
    .optional(),
  ALERTS_SUPABASE_OAUTH_PROVIDERS: z
    .string()
    .regex(/^\s*[a-z0-9_-]+(\s*,\s*[a-z0-9_-]+)*\s*$/, {
      error: "must be a comma list of Supabase provider names, e.g. github,google",
    })
    .optional(),
});

export type Env = Record<string, string | undefined>;

/** Secrets that local mode may create when their variables are unset. */
export interface LocalSecrets {
  jwtSecret: string;
  serviceKey: string;
  encryptionKey: string;
}

/**
 * Parses the environment. `localSecrets` supplies the generated secrets of
 * local mode; without it (or with `ALERTS_REQUIRE_CONFIG=true`) a missing
 * secret is an error naming its variable.
 */
export function parseConfig(env: Env, localSecrets?: LocalSecrets): Config {
  // Empty strings are how shells and .env files say "unset".
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ""),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${String(i.path[0])}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const localMode = !e.SUPABASE_JWT_SECRET && !e.SUPABASE_URL;

  const missing: string[] = [];
  const need = (name: string, value: string | undefined, local: string | undefined) => {
    if (value) return value;
    if (!e.ALERTS_REQUIRE_CONFIG && local) return local;
    missing.push(name);
    return "";
  };
  const jwtSecret =
    e.SUPABASE_URL || e.SUPABASE_JWT_SECRET
      ? e.SUPABASE_JWT_SECRET
      : need("SUPABASE_JWT_SECRET (or SUPABASE_URL)", undefined, localSecrets?.jwtSecret);
  const serviceKey = need("ALERTS_SERVICE_KEY", e.ALERTS_SERVICE_KEY, localSecrets?.serviceKey);
  const encryptionKey = need(
    "ALERTS_ENCRYPTION_KEY",
    e.ALERTS_ENCRYPTION_KEY,
    localSecrets?.encryptionKey,
  );
  if (missing.length > 0) {
    throw new ConfigError(
      `Missing required configuration: ${missing.join(", ")}. ` +
        (e.ALERTS_REQUIRE_CONFIG
          ? "ALERTS_REQUIRE_CONFIG=true forbids generated secrets; set each variable (see README, Configuration)."
          : "Set each variable (see README, Configuration)."),
    );
  }

  const encryptionKeys = [parseEncryptionKey("ALERTS_ENCRYPTION_KEY", encryptionKey)];
  for (const old of (e.ALERTS_ENCRYPTION_KEYS_OLD ?? "").split(",").filter(Boolean)) {
    encryptionKeys.push(parseEncryptionKey("ALERTS_ENCRYPTION_KEYS_OLD", old.trim()));
  }

  const webAuth = parseWebAuth(e, localMode);

  // Parsed once here into ranges the connect-time check matches against
  // (ipaddr.js checks the prefix length against the family: 10.0.0.0/99 fails).
  const configuredCidrs = e.ALERTS_WEBHOOK_ALLOWED_CIDRS.split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((cidr) => {
      try {
        return parseCidr(cidr);
      } catch {
        throw new ConfigError(
          `Invalid configuration:\n  ALERTS_WEBHOOK_ALLOWED_CIDRS: "${cidr}" is not a CIDR such as 10.0.0.0/8`,
        );
      }
    });

  // Local mode is a developer's own machine, already listening on loopback
  // only: its receivers (`/dev/receiver`, a local test server) must work out of
  // the box. Either webhook variable set means the operator decides instead.
  // A local-mode server that listens beyond loopback (HOSTNAME set, as Docker
  // does) is reachable by others, who could aim webhooks at the host's own
  // services: it keeps the deployment default.
  const hostname = e.HOSTNAME ?? (localMode ? "127.0.0.1" : undefined);
  const localReceivers =
    localMode &&
    isLoopbackHost(hostname) &&
    !("ALERTS_WEBHOOK_ALLOW_HTTP" in cleaned) &&
    !("ALERTS_WEBHOOK_ALLOWED_CIDRS" in cleaned);
  const allowedCidrs = localReceivers ? LOOPBACK_CIDRS.map(parseCidr) : configuredCidrs;

  return {
    port: e.PORT,
    hostname,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.ALERTS_DATA_DIR,
    auth: { jwtSecret, supabaseUrl: e.SUPABASE_URL },
    webAuth,
    serviceKey,
    encryptionKeys,
    smtpUrl: e.SMTP_URL,
    emailFrom: e.ALERTS_EMAIL_FROM,
    appUrl: (e.ALERTS_APP_URL ?? announcedUrl(hostname, e.PORT)).replace(/\/+$/, ""),
    worker: e.ALERTS_WORKER,
    workerGraceMs: e.ALERTS_WORKER_GRACE_MS,
    logLevel: e.LOG_LEVEL,
    webhooks: {
      allowHttp: localReceivers || e.ALERTS_WEBHOOK_ALLOW_HTTP,
      allowedCidrs,
      localReceivers,
      retryScheduleSeconds: e.ALERTS_WEBHOOK_RETRY_SCHEDULE.split(",").map((s) => Number(s)),
      disableAfter: e.ALERTS_WEBHOOK_DISABLE_AFTER,
    },
    rateLimitPerHour: e.ALERTS_RATE_LIMIT_PER_HOUR,
    apiRateLimit: {
      userPerMinute: e.ALERTS_API_RATE_LIMIT_PER_MINUTE,
      ingestPerMinute: e.ALERTS_INGEST_RATE_LIMIT_PER_MINUTE,
    },
    timeoutMinutes: e.ALERTS_TIMEOUT_MINUTES,
    diskThresholdPercent: e.ALERTS_DISK_THRESHOLD_PERCENT,
    requireConfig: e.ALERTS_REQUIRE_CONFIG,
    retentionDays: e.ALERTS_RETENTION_DAYS,
    metricsToken: e.ALERTS_METRICS_TOKEN,
    workerMetricsPort: e.ALERTS_WORKER_METRICS_PORT,
    localMode,
  };
}

/** Local mode's default exemption: this machine only, never private or link-local ranges. */
export const LOOPBACK_CIDRS = ["127.0.0.0/8", "::1/128"] as const;

/** `localhost`, 127.0.0.0/8 or ::1: a listener only this machine can reach. */
function isLoopbackHost(hostname: string | undefined): boolean {
  if (!hostname) return false;
  if (hostname === "localhost") return true;
  const bare = hostname.replace(/^\[|\]$/g, "");
  if (!ipaddr.isValid(bare)) return false;
  return ipaddr.process(bare).range() === "loopback";
}

/**
 * The address `npm start` announces: cookies are per host, so links built on
 * another name for the same machine (localhost vs 127.0.0.1) would sign the
 * user out. A wildcard listener has no one address; `localhost` is the usual name.
 */
function announcedUrl(hostname: string | undefined, port: number): string {
  const wildcard = !hostname || hostname === "0.0.0.0" || hostname === "::" || hostname === "[::]";
  if (wildcard) return `http://localhost:${port}`;
  const host = hostname.includes(":") && !hostname.startsWith("[") ? `[${hostname}]` : hostname;
  return `http://${host}:${port}`;
}

/**
 * The web UI signs in through Supabase when both public variables are set.
 * Half a setting, or Supabase sign-in without a way for the API to verify the
 * tokens it hands out, would only fail later at sign-in, so both stop start-up.
 */
function parseWebAuth(e: z.output<typeof envSchema>, localMode: boolean): Config["webAuth"] {
  const url = e.NEXT_PUBLIC_SUPABASE_URL;
  const anonKey = e.NEXT_PUBLIC_SUPABASE_ANON_KEY;
  const oauthProviders = [
    ...new Set((e.ALERTS_SUPABASE_OAUTH_PROVIDERS ?? "").split(",").map((p) => p.trim())),
  ].filter(Boolean);
  if (!url && !anonKey) {
    if (oauthProviders.length > 0) {
      throw new ConfigError(
        "Invalid configuration:\n  ALERTS_SUPABASE_OAUTH_PROVIDERS: OAuth sign-in goes through Supabase; " +
          "set NEXT_PUBLIC_SUPABASE_URL and NEXT_PUBLIC_SUPABASE_ANON_KEY as well",
      );
    }
    return undefined;
  }
  if (!url || !anonKey) {
    const missing = url ? "NEXT_PUBLIC_SUPABASE_ANON_KEY" : "NEXT_PUBLIC_SUPABASE_URL";
    throw new ConfigError(
      `Invalid configuration:\n  ${missing}: must be set too; Supabase sign-in needs both NEXT_PUBLIC_SUPABASE_URL and NEXT_PUBLIC_SUPABASE_ANON_KEY`,
    );
  }
  if (localMode) {
    throw new ConfigError(
      "Invalid configuration:\n  NEXT_PUBLIC_SUPABASE_URL: the web UI would sign in through Supabase, " +
        "but the API cannot verify Supabase tokens; set SUPABASE_URL (or SUPABASE_JWT_SECRET) as well",
    );
  }
  return { supabaseUrl: url.replace(/\/+$/, ""), anonKey, oauthProviders };
}

/** A key is 32 bytes in base64, optionally prefixed with `id:` to name it. */
function parseEncryptionKey(variable: string, value: string): EncryptionKey {
  const match = /^(?:([A-Za-z0-9_-]{1,16}):)?([A-Za-z0-9+/=_-]+)$/.exec(value);
  const key = match?.[2] ? Buffer.from(match[2], "base64") : Buffer.alloc(0);
  if (key.length !== 32) {
    throw new ConfigError(
      `Invalid configuration:\n  ${variable}: must be 32 random bytes in base64 ` +
        "(make one with: openssl rand -base64 32)",
    );
  }
  // Without an explicit id, derive one from the key so rotation needs no bookkeeping.
  const id = match?.[1] ?? createHash("sha256").update(key).digest("hex").slice(0, 8);
  return { id, key };
}
