import type { SafePostResult } from "../../security/safe-http";
import type { ChannelResult } from "./channel.types";

export interface HttpRules {
  /** True when the answer says the destination no longer exists (besides 410). */
  revoked?: (status: number, body: string) => boolean;
  /** A wait the platform names in a 429's body (Discord's `retry_after`), in ms. */
  retryAfterInBody?: (body: string) => number | undefined;
}

/**
 * DESIGN.md §6 for an HTTP answer, pure: 2xx delivered; 3xx failed (redirects
 * are not followed); 408, 429 and 5xx retry, honouring Retry-After; 410 and
 * the platform's "no longer exists" answers revoke; other 4xx fail; a
 * blocked address fails; a network error or timeout retries.
 */
export function classifyHttp(result: SafePostResult, rules: HttpRules = {}): ChannelResult {
  const durationMs = Math.round(result.durationMs);
  if (result.kind === "blocked")
    return { verdict: "failed", statusCode: null, error: `blocked: ${result.reason}`, durationMs };
  if (result.kind === "error") {
    const error = result.timedOut ? "timed out after 10 s" : result.error;
    return { verdict: "retry", statusCode: null, error, durationMs };
  }
  const { status, body } = result;
  if (status >= 200 && status < 300)
    return { verdict: "delivered", statusCode: status, error: null, durationMs };
  const snippet = body.slice(0, 200).replace(/\s+/g, " ").trim();
  const error = `HTTP ${status}${snippet ? `: ${snippet}` : ""}`;
  if (status === 410 || rules.revoked?.(status, body))
    return { verdict: "revoked", statusCode: status, error, durationMs };
  if (status === 429 || status === 408 || status >= 500) {
    const afterMs =
      result.retryAfterMs ?? (status === 429 ? rules.retryAfterInBody?.(body) : undefined);
    return {
      verdict: "retry",
      ...(afterMs === undefined ? {} : { afterMs }),
      statusCode: status,
      error,
      durationMs,
    };
  }
  if (status >= 300 && status < 400) {
    return {
      verdict: "failed",
      statusCode: status,
      error: `${error} (redirects are not followed; use the final URL)`,
      durationMs,
    };
  }
  return { verdict: "failed", statusCode: status, error, durationMs };
}
