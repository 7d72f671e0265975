import type { EventEmitter } from "node:events";
import type pino from "pino";
import type { Queryable } from "../db/types";

/**
 * What the alert engine needs from outside `lib/alerts`, declared here so the
 * core depends on nothing above it (`lib/http`, `lib/queue`, `lib/server`,
 * `app/`). The composition root (`lib/engine`) plugs real ones in; tests
 * plug in their own.
 */

/** The current time. Injected so that tests control it. */
export type Clock = () => Date;

/** JSON-lines logger (pino). */
export type Logger = pino.Logger;

/** Wake-ups and delayed work the engine asks for; everything is tied to the caller's transaction. */
export interface EngineQueue {
  /**
   * Wakes delivery workers in other processes when `tx` commits: one NOTIFY
   * per committing transaction, however many deliveries it wrote.
   */
  notifyDeliveries(tx: Queryable): Promise<void>;
  /** Wakes this process's delivery loop now (call it after the commit). */
  wake(): void;
  /** Schedules the user's rate-limit notice, unless one is already waiting. */
  scheduleNotice(tx: Queryable, userId: string, startAfterSeconds: number): Promise<void>;
}

/**
 * What the engine tells whoever listens (tests wait on these instead of
 * polling the database; metrics count them). Emitted after the fact: a
 * `delivery:recorded` outcome is committed.
 */
export interface EngineEventMap {
  /** An inbox pass finished: `processed` events were decided (0: the inbox was empty). */
  "inbox:processed": [{ processed: number }];
  /** A batch of deliveries was claimed (`postponed` of them were handed back to wait). */
  "delivery:claimed": [{ ids: string[]; postponed: number }];
  /** Outcomes were committed: one entry per delivery, with its new status ("stale": another attempt owns it). */
  "delivery:recorded": [{ outcomes: { id: string; status: string }[] }];
  /** The embedded database was vacuumed (PGlite has no autovacuum; the worker does it). */
  "maintenance:vacuumed": [{ ms: number }];
  /** A delivery could not be opened because of the deployment (an encryption key is missing). */
  "delivery:operator_error": [{ id: string; error: string }];
}

export type EngineEvents = EventEmitter<EngineEventMap>;
