import { ConfigError } from "./lib/config/config";
import { getContext } from "./lib/server/context";

/**
 * Starts the context (configuration, database, migrations) with the server,
 * so a bad configuration stops start-up with a clear message instead of
 * failing on the first request.
 */
export async function startNode(): Promise<void> {
  try {
    await getContext();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`\n${error.message}\n\n`);
      process.exit(1);
    }
    // Anything else (the database not up yet, say) is retried on the next request.
    process.stderr.write(`Start-up did not complete: ${(error as Error).message}\n`);
  }
}
