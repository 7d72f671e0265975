import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { LocalSecrets } from "./config";

/** The file, inside `ALERTS_DATA_DIR`, that keeps local mode's generated secrets. */
export const LOCAL_SECRETS_FILE = "local-secrets.json";

/**
 * Reads local mode's secrets, creating them on first use. They persist so that
 * tokens minted yesterday and webhook URLs encrypted yesterday still work today.
 */
export function loadOrCreateLocalSecrets(dataDir: string): {
  secrets: LocalSecrets;
  created: boolean;
  file: string;
} {
  const file = path.resolve(dataDir, LOCAL_SECRETS_FILE);
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, "utf8")) as Partial<LocalSecrets>;
    if (stored.jwtSecret && stored.serviceKey && stored.encryptionKey) {
      return { secrets: stored as LocalSecrets, created: false, file };
    }
  }
  const secrets: LocalSecrets = {
    jwtSecret: randomBytes(32).toString("base64url"),
    serviceKey: `ta_sk_${randomBytes(24).toString("base64url")}`,
    encryptionKey: randomBytes(32).toString("base64"),
  };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return { secrets, created: true, file };
}
