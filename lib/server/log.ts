import pino from "pino";
import type { LogLevel } from "../config/config";

export type Logger = pino.Logger;

/**
 * An error as pino writes it, without `client`: pg's pool hangs the whole
 * client (its connection, its parsers, its queue) on the errors it emits,
 * several KB per line.
 */
function serializeError(error: Error): pino.SerializedError {
  const { client: _client, ...rest } = pino.stdSerializers.err(error);
  return rest as pino.SerializedError;
}

/** JSON lines on stdout, at the configured level (`LOG_LEVEL`, `Config.logLevel`). */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: "training-alerts" },
    serializers: { err: serializeError },
  });
}
