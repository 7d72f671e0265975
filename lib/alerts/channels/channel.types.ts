/**
 * What a channel reports about one attempt. Failures are data, not
 * exceptions: the delivery service records them and decides about retries.
 */
export interface ChannelResult {
  ok: boolean;
  /** The receiver's HTTP status (or SMTP reply code), when there was one. */
  statusCode: number | null;
  error: string | null;
  /** Worth another attempt later (429, 5xx, timeouts, network errors). */
  retryable: boolean;
  /** The receiver asked to wait this long (Retry-After). */
  retryAfterMs?: number;
  /** The destination no longer exists (410, Slack's no_service, Discord's Unknown Webhook). */
  revoked?: boolean;
  durationMs: number;
}
