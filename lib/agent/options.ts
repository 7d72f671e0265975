import { hostname } from "node:os";
import { parseArgs } from "node:util";
import type { AgentOptions } from "./agent";

export const USAGE = `Usage: npm run agent -- --url <server> --key <service key> --user <uuid> [options]

  --url <url>            Training Alerts server (env ALERTS_URL)
  --key <key>            service key (env ALERTS_SERVICE_KEY; prefer the env: arguments show in ps)
  --user <uuid>          the user whose alerts these are
  --job <uuid>           the training job (required with --log)
  --disk <path>          watch the filesystem holding <path>; repeat for several
  --threshold <percent>  disk usage that raises disk_warning (env ALERTS_DISK_THRESHOLD_PERCENT, default 90);
                         sent along, and the server alerts at the higher of it and its own
                         ALERTS_DISK_THRESHOLD_PERCENT: it can raise the bar, not lower it
  --log <file>           follow this log file and send new lines to the job's /logs
  --from-start           read an existing log from its start (default: only new lines)
  --interval <seconds>   between disk checks (default 60)
  --log-interval <sec>   between looks at the log file (default 2)
  --timeout <seconds>    per request (default 10)
  --once                 check once (a --log file is read whole), deliver with a few
                         retries, exit: 0 if everything was delivered, 1 if anything was
                         refused or undelivered or a --disk/--log path does not exist
                         (each problem is printed)
`;

export interface CliOptions extends AgentOptions {
  once: boolean;
}

/** A command line the agent cannot run with; the message says what to change. */
export class UsageError extends Error {
  override name = "UsageError";
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads the command line and environment into agent options; throws UsageError. */
export function parseAgentArgs(
  argv: string[],
  env: Record<string, string | undefined>,
): CliOptions | "help" {
  let values: ReturnType<typeof parse>["values"];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return "help";

  const url = values.url ?? env.ALERTS_URL;
  if (!url) throw new UsageError("--url (or ALERTS_URL) is required: the server's base URL");
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch {
    throw new UsageError(`--url "${url}" is not a URL; use e.g. http://localhost:3000`);
  }
  if (parsedUrl.protocol !== "http:" && parsedUrl.protocol !== "https:") {
    throw new UsageError(`--url must be http:// or https://, not ${parsedUrl.protocol}`);
  }
  const serviceKey = values.key ?? env.ALERTS_SERVICE_KEY;
  if (!serviceKey) {
    throw new UsageError("--key (or ALERTS_SERVICE_KEY) is required: the server's service key");
  }
  const userId = values.user;
  if (!userId || !UUID.test(userId)) {
    throw new UsageError("--user <uuid> is required: the id of the user to alert");
  }
  const jobId = values.job;
  if (jobId !== undefined && !UUID.test(jobId)) {
    throw new UsageError(`--job "${jobId}" is not a UUID`);
  }
  const disks = values.disk ?? [];
  const logPath = values.log;
  if (logPath !== undefined && !jobId) {
    throw new UsageError(
      "--log needs --job <uuid>: log lines are checked for the job they belong to",
    );
  }
  if (disks.length === 0 && logPath === undefined) {
    throw new UsageError("nothing to watch: give --disk <path> and/or --log <file> --job <uuid>");
  }
  const thresholdText = values.threshold ?? env.ALERTS_DISK_THRESHOLD_PERCENT ?? "90";
  const thresholdPercent = Number(thresholdText);
  if (!(thresholdPercent > 0 && thresholdPercent <= 100)) {
    throw new UsageError(
      `--threshold "${thresholdText}" must be a percentage above 0 and at most 100, e.g. 90`,
    );
  }
  return {
    url: parsedUrl.toString().replace(/\/+$/, ""),
    serviceKey,
    userId: userId.toLowerCase(),
    ...(jobId ? { jobId: jobId.toLowerCase() } : {}),
    disks,
    thresholdPercent,
    ...(logPath !== undefined ? { logPath } : {}),
    // A one-off run has no "from now on": it reads the whole log.
    logFromStart: values["from-start"] ?? values.once ?? false,
    diskIntervalMs: seconds("--interval", values.interval, 60, 1),
    logIntervalMs: seconds("--log-interval", values["log-interval"], 2, 0.1),
    timeoutMs: seconds("--timeout", values.timeout, 10, 1),
    host: hostname(),
    once: values.once ?? false,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      url: { type: "string" },
      key: { type: "string" },
      user: { type: "string" },
      job: { type: "string" },
      disk: { type: "string", multiple: true },
      threshold: { type: "string" },
      log: { type: "string" },
      "from-start": { type: "boolean" },
      interval: { type: "string" },
      "log-interval": { type: "string" },
      timeout: { type: "string" },
      once: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

function seconds(flag: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback * 1000;
  const value = Number(text);
  if (!(value >= min && value <= 86_400)) {
    throw new UsageError(`${flag} "${text}" must be a number of seconds from ${min} to 86400`);
  }
  return Math.round(value * 1000);
}
