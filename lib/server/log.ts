import pino from "pino";

export type Logger = pino.Logger;

/** JSON lines on stdout. `LOG_LEVEL` (default `info`) picks the level. */
export function createLogger(level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({ level, base: { service: "training-alerts" } });
}
