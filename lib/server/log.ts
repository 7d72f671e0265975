import pino from "pino";

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

/** JSON lines on stdout. `LOG_LEVEL` (default `info`) picks the level. */
export function createLogger(level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({
    level,
    base: { service: "training-alerts" },
    serializers: { err: serializeError },
  });
}
