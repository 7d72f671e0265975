import { type Config, type Env, parseConfig } from "./config";
import { loadOrCreateLocalSecrets } from "./local-secrets";

export interface LoadedConfig {
  config: Config;
  /** Set when local mode generated or reused secrets from this file. */
  localSecretsFile?: string;
}

/**
 * Reads configuration from an environment. Unless `ALERTS_REQUIRE_CONFIG` is
 * true, secrets that are not set are generated once and kept in
 * `$ALERTS_DATA_DIR` (local mode), so a fresh clone starts with no setup.
 */
export function loadConfig(env: Env = process.env): LoadedConfig {
  const requireConfig = /^(true|1|yes)$/.test(env.ALERTS_REQUIRE_CONFIG ?? "");
  const needsLocal =
    (!env.SUPABASE_JWT_SECRET && !env.SUPABASE_URL) ||
    !env.ALERTS_SERVICE_KEY ||
    !env.ALERTS_ENCRYPTION_KEY;
  if (requireConfig || !needsLocal) return { config: parseConfig(env) };
  const { secrets, file } = loadOrCreateLocalSecrets(env.ALERTS_DATA_DIR || "./.data");
  return { config: parseConfig(env, secrets), localSecretsFile: file };
}
