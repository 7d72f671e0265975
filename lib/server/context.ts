import type { Config } from "../config/config";
import type { Db } from "../db/types";
import type { Authenticator } from "../http/auth";
import type { RateLimiter } from "../http/rate-limit";
import type { Logger } from "./log";

/** The current time. Injected so that tests control it. */
export type Clock = () => Date;

/** Everything a route or job needs, passed explicitly. */
export interface AppContext {
  config: Config;
  db: Db;
  log: Logger;
  clock: Clock;
  auth: Authenticator;
  /** Users known to have an auth.users row in this process (saves a write per request). */
  knownUsers: Set<string>;
  /** The API's own request buckets (per user, per service key), in this process. */
  rateLimiter: RateLimiter;
}

// Next evaluates modules more than once (instrumentation, each route bundle);
// globalThis is the one place they all share.
const KEY = Symbol.for("training-alerts.context");
type Holder = { [KEY]?: Promise<AppContext> };

/** The process's context, created by `bootstrap` on first use. */
export function getContext(): Promise<AppContext> {
  const holder = globalThis as Holder;
  if (!holder[KEY]) {
    const pending = import("./bootstrap").then((m) => m.bootstrap());
    holder[KEY] = pending;
    // A failed start (database down, say) is retried on the next request.
    pending.catch(() => {
      if (holder[KEY] === pending) delete holder[KEY];
    });
  }
  return holder[KEY];
}

/** Installs a context (tests, scripts that build their own). */
export function setContext(context: AppContext | undefined): void {
  const holder = globalThis as Holder;
  if (context) holder[KEY] = Promise.resolve(context);
  else delete holder[KEY];
}
