import path from "node:path";
import type { Config } from "../config/config";
import { loadConfig } from "../config/load";
import { migrate } from "../db/migrate";
import { openDb } from "../db/open";
import { createAuthenticator } from "../http/auth";
import { createRateLimiter } from "../http/rate-limit";
import type { AppContext } from "./context";
import { createLogger } from "./log";

/**
 * Starts the service's shared state: configuration, database (migrated),
 * authenticator. Runs once per process.
 */
export async function bootstrap(): Promise<AppContext> {
  const { config, localSecretsFile } = loadConfig();
  const log = createLogger(config.logLevel);
  const db = await openDb(config, log);
  const { applied, changed } = await migrate(db);
  if (applied.length > 0) log.info({ applied }, "applied database migrations");
  for (const name of changed) {
    log.warn(
      { migration: name },
      "a migration file changed after it was applied; it is not run again",
    );
  }
  const clock = () => new Date();
  if (localSecretsFile) printLocalModeHelp(config, localSecretsFile);
  return {
    config,
    db,
    log,
    clock,
    auth: createAuthenticator(config, clock),
    knownUsers: new Set(),
    rateLimiter: createRateLimiter(),
  };
}

function printLocalModeHelp(config: Config, file: string): void {
  const { appUrl, localMode } = config;
  const rel = path.relative(process.cwd(), file) || file;
  const lines = [
    "",
    "Training Alerts is running in local mode: secrets that are not set were generated",
    `and saved in ${rel} (keep that file private; delete it to start over).`,
    "",
    ...(localMode
      ? [
          "  Sign in to the API as a user:   npm run token -- --email you@example.com",
          `  then:  curl -H "Authorization: Bearer <token>" ${appUrl}/api/alerts/preferences`,
        ]
      : []),
    ...(config.webhooks.localReceivers
      ? [
          "  Webhooks may use http:// and loopback (127.0.0.0/8, ::1) in local mode, nothing else",
          `  private; a test receiver is at ${appUrl}/dev/receiver. Setting ALERTS_WEBHOOK_ALLOW_HTTP`,
          "  or ALERTS_WEBHOOK_ALLOWED_CIDRS replaces this default.",
        ]
      : []),
    `  Producer (service) key:          see "serviceKey" in ${rel}`,
    "",
    "Deployments set ALERTS_REQUIRE_CONFIG=true and provide every secret (README, Configuration).",
    "",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}
