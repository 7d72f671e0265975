import { type SafePostResult, safePost } from "../../security/safe-http";
import type { ChannelIo } from "./channel.types";

/**
 * The one way a channel POSTs JSON to a destination (I/O only; never
 * throws): through safePost, so every kind keeps the same address checks
 * (allowed networks, http only where allowed), the per-attempt timeout
 * (default 10 s) and the tests' injected resolver.
 */
export function postJson(
  url: string,
  body: string,
  io: ChannelIo,
  headers: Record<string, string> = {},
): Promise<SafePostResult> {
  return safePost({
    url,
    headers: { "content-type": "application/json", ...headers },
    body,
    timeoutMs: io.http.timeoutMs ?? 10_000,
    allowHttp: io.http.allowHttp,
    allowedCidrs: io.http.allowedCidrs,
    lookup: io.http.lookup,
  });
}
