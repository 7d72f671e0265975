import type { EngineDeps } from "../alert.service";
import type { HttpOptions } from "../channels/channel.types";
import type { EmailTransport } from "../channels/email.channel";

export interface DeliveryDeps extends EngineDeps {
  email: EmailTransport;
  /** Overrides for webhook sends (tests inject a DNS resolver, a longer time limit). */
  webhookOptions?: Partial<HttpOptions>;
}

/** Longer than one attempt (10 s) with room to record it. */
export const LEASE_MS = 30_000;
/** One send's time limit (the webhook channel's and SMTP's). */
export const SEND_LIMIT_MS = 10_000;
/** Pauses between tries of a failed recording (OutcomeRecorder): about 16 s in all. */
export const RECORDING_BACKOFF_MS: readonly number[] = [250, 500, 1000, 2000, 4000, 8000];
/**
 * A claimed delivery waits in memory for its destination's slot at most this
 * long, else it is handed back: its send and the recording's retries must
 * still fit in the lease, or another worker could take it over and send it
 * a second time. About 3 s.
 */
export const SLOT_WAIT_MAX_MS =
  LEASE_MS - SEND_LIMIT_MS - RECORDING_BACKOFF_MS.reduce((a, b) => a + b, 0) - 1_000;
/** How long a delivery over its destination's cap waits before it is offered again. */
export const POSTPONE_MS = 1_000;
