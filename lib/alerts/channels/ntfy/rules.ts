/**
 * What an ntfy server's answers mean. Errors are JSON
 * `{ code, http, error, link }` (ntfy server/errors.go); 42908 is "limit
 * reached: too many messages", the daily message quota
 * (`visitor-message-daily-limit`, https://docs.ntfy.sh/config/#rate-limiting),
 * which a short backoff cannot clear. 401/403: the token was revoked or the
 * topic is no longer writable (https://docs.ntfy.sh/publish/#authentication). Pure.
 */
export const isNtfyRevoked = (status: number) => status === 401 || status === 403;

/** How long to hold off after a daily-quota 429: an hour, then try again (the quota resets daily). */
export const NTFY_DAILY_QUOTA_WAIT_MS = 60 * 60 * 1000;

function codeOf(body: string): number | undefined {
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    return typeof code === "number" ? code : undefined;
  } catch {
    return undefined;
  }
}

/** A 429's wait: the daily quota (42908) waits an hour; other limits use the schedule. */
export function ntfyRetryAfter(body: string): number | undefined {
  return codeOf(body) === 42908 ? NTFY_DAILY_QUOTA_WAIT_MS : undefined;
}

/**
 * JSON publishing posts to the server's root with the topic in the body
 * (https://docs.ntfy.sh/publish/#publish-as-json): the topic URL split into
 * both. The topic is the last path segment and the root is everything before
 * it, so a server behind a sub-path (`https://example.com/ntfy/<topic>`, its
 * `base-url` with a path) gets its own root, not the host's.
 */
export function ntfyTarget(address: string): { endpoint: string; topic: string } {
  const url = new URL(address);
  const segments = url.pathname.split("/").filter(Boolean);
  const topic = segments.pop() ?? "";
  const root = segments.length > 0 ? `/${segments.join("/")}/` : "/";
  return { endpoint: `${url.origin}${root}`, topic: decodeURIComponent(topic) };
}
