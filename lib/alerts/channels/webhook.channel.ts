import type { LookupFunction } from "node:net";
import { type SafePostResult, safePost } from "../../security/safe-http";
import type { WebhookType } from "../alert.types";
import type { ChannelResult } from "./channel.types";
import { signStandardWebhook } from "./signature";

export interface WebhookRequest {
  url: string;
  webhookType: WebhookType;
  /** Decrypted signing secret, or null for unsigned. */
  secret: string | null;
  /** Stable across retries of the same delivery: receivers dedupe on it. */
  messageId: string;
  body: string;
  timestamp: Date;
}

export interface WebhookChannelOptions {
  allowHttp: boolean;
  allowedCidrs: readonly string[];
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
  lookup?: LookupFunction;
}

/** Sends one webhook request; never throws. */
export async function sendWebhook(
  req: WebhookRequest,
  options: WebhookChannelOptions,
): Promise<ChannelResult> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (req.secret) {
    const ts = Math.floor(req.timestamp.getTime() / 1000);
    headers["webhook-id"] = req.messageId;
    headers["webhook-timestamp"] = String(ts);
    headers["webhook-signature"] = signStandardWebhook(req.secret, req.messageId, ts, req.body);
  } else {
    // Receivers without a secret can still dedupe on the id.
    headers["webhook-id"] = req.messageId;
  }
  const url = req.webhookType === "discord" ? withDiscordWait(req.url) : req.url;
  const result = await safePost({
    url,
    headers,
    body: req.body,
    timeoutMs: options.timeoutMs ?? 10_000,
    allowHttp: options.allowHttp,
    allowedCidrs: options.allowedCidrs,
    lookup: options.lookup,
  });
  return classify(result, req.webhookType);
}

/** Discord answers 204 with no body unless asked to wait; with it, errors carry codes. */
function withDiscordWait(raw: string): string {
  try {
    const url = new URL(raw);
    url.searchParams.set("wait", "true");
    return url.toString();
  } catch {
    return raw;
  }
}

/** DESIGN.md §6: 2xx success; 3xx failure; 429/5xx retry; 410 and "no longer exists" answers revoke. */
export function classify(result: SafePostResult, type: WebhookType): ChannelResult {
  const durationMs = Math.round(result.durationMs);
  if (result.kind === "blocked") {
    return {
      ok: false,
      statusCode: null,
      error: `blocked: ${result.reason}`,
      retryable: false,
      durationMs,
    };
  }
  if (result.kind === "error") {
    return {
      ok: false,
      statusCode: null,
      error: result.timedOut ? "timed out after 10 s" : result.error,
      retryable: true,
      durationMs,
    };
  }
  const { status, body } = result;
  if (status >= 200 && status < 300)
    return { ok: true, statusCode: status, error: null, retryable: false, durationMs };
  const snippet = body.slice(0, 200).replace(/\s+/g, " ").trim();
  const error = `HTTP ${status}${snippet ? `: ${snippet}` : ""}`;
  if (isRevoked(status, body, type)) {
    return { ok: false, statusCode: status, error, retryable: false, revoked: true, durationMs };
  }
  if (status === 429 || status === 408 || status >= 500) {
    const retryAfterMs =
      result.retryAfterMs ?? (status === 429 ? retryAfterInBody(body) : undefined);
    return {
      ok: false,
      statusCode: status,
      error,
      retryable: true,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      durationMs,
    };
  }
  if (status >= 300 && status < 400) {
    return {
      ok: false,
      statusCode: status,
      error: `${error} (redirects are not followed; use the final URL)`,
      retryable: false,
      durationMs,
    };
  }
  return { ok: false, statusCode: status, error, retryable: false, durationMs };
}

/** Discord's 429 says how long to wait in its JSON body: `{"retry_after": 1.5}` (seconds). */
function retryAfterInBody(body: string): number | undefined {
  try {
    const seconds = (JSON.parse(body) as { retry_after?: unknown }).retry_after;
    return typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0
      ? Math.ceil(seconds * 1000)
      : undefined;
  } catch {
    return undefined;
  }
}

function isRevoked(status: number, body: string, type: WebhookType): boolean {
  if (status === 410) return true;
  if (type === "slack")
    return status === 404 || /no_service|channel_is_archived|invalid_token/.test(body);
  if (type === "discord") return status === 404 || /"code"\s*:\s*10015\b/.test(body);
  return false;
}
