// `npm run agent -- --url … --key … --user <uuid> [--job <uuid>] [--disk /data …]
// [--threshold 90] [--log train.log] [--interval 60] [--once]`: the training-host
// agent (lib/agent). It runs beside training as its own process; whatever
// happens to the API, it logs and carries on. SIGINT/SIGTERM try one last
// delivery of what is queued, then exit 0.
import { existsSync } from "node:fs";
import pino from "pino";
import { createAgent } from "../lib/agent/agent";
import { parseAgentArgs, USAGE, UsageError } from "../lib/agent/options";

let parsed: ReturnType<typeof parseAgentArgs>;
try {
  parsed = parseAgentArgs(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`agent: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (parsed === "help") {
  process.stdout.write(USAGE);
  process.exit(0);
}
const { once, ...options } = parsed;

const log = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { service: "training-alerts-agent" },
});
const agent = createAgent(options, { log });

if (once) {
  // A path that does not exist is a mistake in the command line here: there
  // is no later check for it to turn up in (the long-running agent waits).
  const missing = [
    ...options.disks.filter((p) => !existsSync(p)).map((p) => `--disk ${p} does not exist`),
    ...(options.logPath && !existsSync(options.logPath)
      ? [`--log ${options.logPath} does not exist`]
      : []),
  ];
  await agent.collect();
  const left = await agent.flush(5);
  await agent.close();
  const problems = [
    ...missing,
    ...agent.problems().filter((p) => !missing.some((m) => p.includes(m.split(" ")[1] ?? m))),
    ...(left > 0 ? [`${left} report(s) could not be delivered`] : []),
  ];
  for (const p of problems) process.stderr.write(`agent: ${p}\n`);
  process.stderr.write(
    problems.length === 0
      ? "agent: everything was delivered\n"
      : `agent: ${problems.length} problem(s); exit 1\n`,
  );
  process.exit(problems.length > 0 ? 1 : 0);
}

log.info(
  {
    url: options.url,
    disks: options.disks,
    threshold: options.thresholdPercent,
    log: options.logPath,
    job_id: options.jobId,
  },
  "agent started",
);
const stop = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stop.signal.aborted) process.exit(0);
    stop.abort();
  });
}
await agent.run(stop.signal);
// The log may hold a last line or two (often the interesting ones); one try, no waiting.
await agent.collect();
await agent.flush(1, { waitForBackoff: false });
await agent.close();
process.exit(0);
