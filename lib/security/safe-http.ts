import dns, { type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import net, { type LookupFunction } from "node:net";
import type { Duplex } from "node:stream";
import type { CidrRange } from "./cidr-range";
import { ipFromHost, isForbiddenAddress } from "./outbound";

/**
 * The one HTTP client webhook deliveries use (DESIGN.md §6, Outbound safety).
 *
 * The address check happens where the socket is opened, not only before:
 * pooled agents override `createConnection`, so an IP-literal host is checked
 * right before `connect()`, and a name goes through a wrapped `lookup` that
 * checks every resolved address before `net` may connect to any of them. A
 * DNS answer that changes between a pre-check and the connect (rebinding)
 * therefore cannot reach a forbidden address. A name is also resolved and
 * checked once up front so a forbidden destination is `blocked` without
 * taking a pooled socket slot — but that early answer is never trusted for
 * the connection itself.
 */

export interface SafePostOptions {
  url: string;
  /** Caller headers. Host, User-Agent, Content-Length and hop-by-hop headers are set here; caller values for them are ignored. */
  headers: Record<string, string>;
  body: string;
  /** Limit for the whole attempt — DNS, connect, request and the full response body. Default 10_000. */
  timeoutMs?: number;
  /** Read at most this many bytes of the response body; the socket is destroyed past it. Default 64 KiB. */
  maxResponseBytes?: number;
  /** Ranges exempt from the address policy (ALERTS_WEBHOOK_ALLOWED_CIDRS). Default none. */
  allowedCidrs?: readonly CidrRange[];
  /** Allow plain http:// URLs. Default false: https only. */
  allowHttp?: boolean;
  /** DNS resolver with `dns.lookup`'s signature, used both for the pre-check and the connection. Default `dns.lookup`. */
  lookup?: LookupFunction;
  /** Pool key for the keep-alive agent. Default the URL's origin. */
  agentKey?: string;
}

export type SafePostResult =
  | {
      kind: "response";
      status: number;
      headers: Record<string, string>;
      body: string;
      durationMs: number;
      retryAfterMs?: number;
    }
  /** Refused before any connection: forbidden address, bad scheme, credentials in the URL, unsafe header. */
  | { kind: "blocked"; reason: string; durationMs: number }
  /** Network error, timeout or reset. */
  | { kind: "error"; error: string; timedOut: boolean; durationMs: number };

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;
const USER_AGENT = "TrainingAlerts/1.0";
const DAY_MS = 24 * 60 * 60 * 1000;

/** Headers this client owns: framing and connection management must match what it actually sends. */
const CLIENT_OWNED_HEADERS = new Set([
  "host",
  "user-agent",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "proxy-connection",
  "upgrade",
  "te",
  "trailer",
  "expect",
]);

/** RFC 9110 token. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What Node accepts in a header value: tab, visible ASCII, obs-text. No CR, LF or NUL. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** A resolved or literal address the policy forbids; becomes a `blocked` result. */
class ForbiddenAddressError extends Error {
  constructor(host: string, address: string) {
    const subject = host === address ? address : `${host} resolves to ${address}, which`;
    super(
      `${subject} is a private, loopback, link-local or reserved address that webhooks may not reach; ` +
        "add its range to ALERTS_WEBHOOK_ALLOWED_CIDRS if this destination is intended",
    );
    this.name = "ForbiddenAddressError";
  }
}

/** Carried in the request options down to the agent's `createConnection`. */
interface AddressPolicy {
  allowedCidrs: readonly CidrRange[];
}
const POLICY = "safeHttpPolicy";
type GuardedRequestOptions = http.RequestOptions & { [POLICY]?: AddressPolicy };
type ConnectionCallback = (err: Error | null, stream: Duplex) => void;

/**
 * Wraps a resolver so that every address it returns is checked before the
 * caller sees any of them. Always asks for all addresses: with Node's
 * happy-eyeballs (`autoSelectFamily`) any of them may be dialled, so one
 * forbidden answer refuses the whole name.
 */
function guardedLookup(resolve: LookupFunction, policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    let answered = false;
    const reply: typeof callback = (err, address, family) => {
      if (answered) return;
      answered = true;
      callback(err, address, family);
    };
    const onResolved = (
      err: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => {
      if (err) return reply(err, "");
      const addresses: LookupAddress[] =
        typeof address === "string" ? [{ address, family: family ?? net.isIP(address) }] : address;
      const first = addresses[0];
      if (!first) {
        const empty: NodeJS.ErrnoException = new Error(`${hostname} resolved to no addresses`);
        empty.code = "ENOTFOUND";
        return reply(empty, "");
      }
      const forbidden = addresses.find((a) => isForbiddenAddress(a.address, policy.allowedCidrs));
      if (forbidden) return reply(new ForbiddenAddressError(hostname, forbidden.address), "");
      if (options.all) reply(null, addresses);
      else reply(null, first.address, first.family);
    };
    try {
      resolve(hostname, { ...options, all: true }, onResolved);
    } catch (err) {
      reply(err as NodeJS.ErrnoException, "");
    }
  };
}

/**
 * The connect-time gate shared by both agents: returns the options to connect
 * with, or reports the refusal through `callback` (Node's agent turns that
 * into an `error` on the request) and returns undefined.
 */
function guardConnection(
  options: GuardedRequestOptions,
  callback: ConnectionCallback | undefined,
): http.RequestOptions | undefined {
  const refuse = (err: Error) => {
    // Without a callback the agent would never hear of the failure; throwing
    // makes http.request fail synchronously instead of connecting.
    if (!callback) throw err;
    callback(err, undefined as never);
    return undefined;
  };
  const policy = options[POLICY];
  if (!policy) return refuse(new Error("safe-http agents only open connections made by safePost"));
  const host = options.host ?? options.hostname ?? "";
  if (net.isIP(host)) {
    // net.connect skips `lookup` for literals, so they are checked here.
    return isForbiddenAddress(host, policy.allowedCidrs)
      ? refuse(new ForbiddenAddressError(host, host))
      : options;
  }
  const resolve = options.lookup ?? (dns.lookup as LookupFunction);
  return { ...options, lookup: guardedLookup(resolve, policy) };
}

class GuardedHttpAgent extends http.Agent {
  override createConnection(options: http.ClientRequestArgs, callback?: ConnectionCallback) {
    const checked = guardConnection(options, callback);
    return checked ? super.createConnection(checked, callback) : undefined;
  }
}

class GuardedHttpsAgent extends https.Agent {
  override createConnection(options: http.RequestOptions, callback?: ConnectionCallback) {
    const checked = guardConnection(options, callback);
    return checked ? super.createConnection(checked, callback) : undefined;
  }
}

/**
 * Connections per origin and process. Every Slack webhook is on
 * hooks.slack.com (Discord's, Teams' likewise): at 8, a worker's sends to all
 * Slack users shared 8 sockets, about 40/s at Slack's 200 ms. Fairness
 * between destinations is the limiter's (4 in flight each), and a worker has
 * 64 sends in flight at most.
 */
export const MAX_SOCKETS_PER_ORIGIN = 32;

const AGENT_OPTIONS: https.AgentOptions = {
  keepAlive: true,
  keepAliveMsecs: 1_000,
  maxSockets: MAX_SOCKETS_PER_ORIGIN,
  maxFreeSockets: MAX_SOCKETS_PER_ORIGIN,
  // Idle pooled sockets close after this long (a busy socket is bounded by
  // timeoutMs instead): under the 5 s at which Node's own servers drop idle
  // keep-alive connections, so we rarely write to one the server is closing.
  timeout: 4_000,
  scheduling: "lifo",
};

const agents = new Map<string, http.Agent>();

const NO_RANGES: readonly CidrRange[] = [];

/** The pool key's part for a policy, per parsed range list (the configuration parses it once). */
const policyKeys = new WeakMap<readonly CidrRange[], string>();

function agentFor(secure: boolean, key: string, policy: AddressPolicy): http.Agent {
  // The policy is part of the key so that a socket opened under one set of
  // allowed ranges is never reused by a request made under another.
  let ranges = policyKeys.get(policy.allowedCidrs);
  if (ranges === undefined) {
    ranges = policy.allowedCidrs.map((r) => r.cidr).join(",");
    policyKeys.set(policy.allowedCidrs, ranges);
  }
  const id = `${secure ? "https" : "http"} ${key} ${ranges}`;
  let agent = agents.get(id);
  if (!agent) {
    agent = secure ? new GuardedHttpsAgent(AGENT_OPTIONS) : new GuardedHttpAgent(AGENT_OPTIONS);
    agents.set(id, agent);
  }
  return agent;
}

/** Destroys every pooled keep-alive agent and its sockets (tests, shutdown). */
export function closeAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

interface Target {
  url: URL;
  secure: boolean;
  /** Host as the socket layer wants it: brackets removed from IPv6 literals. */
  host: string;
  /** Set when the URL names an IP address rather than a DNS name. */
  literal: string | undefined;
  port: number;
  /** Every header sent: the caller's allowed ones, then Host, User-Agent and Content-Length. */
  headers: Record<string, string>;
}

/** Everything that can be refused without touching the network. */
function prepare(options: SafePostOptions): Target | { blocked: string } {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    return { blocked: "the webhook URL is not a valid absolute URL" };
  }
  const secure = url.protocol === "https:";
  if (!secure && url.protocol !== "http:") {
    return { blocked: `webhook URLs must use https, not ${url.protocol.replace(/:$/, "")}` };
  }
  if (!secure && !options.allowHttp) {
    return {
      blocked: "webhook URLs must use https; plain http is refused unless explicitly allowed",
    };
  }
  if (url.username || url.password) {
    return {
      blocked:
        "webhook URLs must not contain credentials before '@'; remove them (use a signing secret instead)",
    };
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers)) {
    if (!HEADER_NAME.test(name)) {
      return {
        blocked: `header name ${JSON.stringify(name)} is not a valid token; header injection is refused`,
      };
    }
    if (!HEADER_VALUE.test(value)) {
      return {
        blocked: `header ${name} contains CR, LF or another control character; header injection is refused`,
      };
    }
    if (!CLIENT_OWNED_HEADERS.has(name.toLowerCase())) headers[name] = value;
  }
  // Added here, not spread into a copy per request: a spread followed by more
  // keys makes V8 build a new hidden class every time.
  headers.Host = url.host;
  headers["User-Agent"] = USER_AGENT;
  headers["Content-Length"] = String(Buffer.byteLength(options.body));
  const literal = ipFromHost(url.hostname);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  return { url, secure, host, literal, port, headers };
}

/** Seconds or an HTTP-date, as milliseconds from `nowMs`, clamped to [0, 24 h]; undefined when unparsable. */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, DAY_MS);
  const at = parseHttpDate(text, nowMs);
  if (at === undefined) return undefined;
  return Math.min(Math.max(at - nowMs, 0), DAY_MS);
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const TIME = String.raw`(?<hour>\d{2}):(?<minute>\d{2}):(?<second>\d{2})`;
const HTTP_DATES = [
  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
  new RegExp(
    String.raw`^[a-z]{3}, (?<day>\d{2}) (?<month>[a-z]{3}) (?<year>\d{4}) ${TIME} GMT$`,
    "i",
  ),
  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
  new RegExp(
    String.raw`^[a-z]{6,9}, (?<day>\d{2})-(?<month>[a-z]{3})-(?<year>\d{2}) ${TIME} GMT$`,
    "i",
  ),
  // asctime: Sun Nov  6 08:49:37 1994
  new RegExp(String.raw`^[a-z]{3} (?<month>[a-z]{3}) (?<day>[ \d]\d) ${TIME} (?<year>\d{4})$`, "i"),
];

/**
 * The three HTTP-date forms of RFC 9110 §5.6.7, strictly: Date.parse accepts
 * far more (and reads asctime as local time).
 */
function parseHttpDate(text: string, nowMs: number): number | undefined {
  let fields: Record<string, string> | undefined;
  for (const form of HTTP_DATES) {
    fields = form.exec(text)?.groups;
    if (fields) break;
  }
  if (!fields) return undefined;
  const month = MONTHS.indexOf((fields.month ?? "").toLowerCase());
  const day = Number(fields.day);
  const [hour, minute, second] = [
    Number(fields.hour),
    Number(fields.minute),
    Number(fields.second),
  ];
  let year = Number(fields.year);
  if (fields.year?.length === 2) {
    // RFC 850's two-digit year: one more than 50 years ahead is in the past century.
    year += 2000;
    if (year > new Date(nowMs).getUTCFullYear() + 50) year -= 100;
  }
  if (month < 0 || hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = Date.UTC(year, month, day, hour, minute, second);
  // Date.UTC rolls 31 Feb over into March; such a date is malformed.
  return new Date(ms).getUTCDate() === day ? ms : undefined;
}

/**
 * POSTs `body` to `url` under the outbound address policy. Never follows
 * redirects and never throws: every outcome, including refusals, is data.
 */
export async function safePost(
  options: SafePostOptions,
  now: () => number = Date.now,
): Promise<SafePostResult> {
  const started = now();
  const elapsed = () => Math.max(0, now() - started);
  try {
    const target = prepare(options);
    if ("blocked" in target)
      return { kind: "blocked", reason: target.blocked, durationMs: elapsed() };
    const policy: AddressPolicy = { allowedCidrs: options.allowedCidrs ?? NO_RANGES };
    if (target.literal !== undefined && isForbiddenAddress(target.literal, policy.allowedCidrs)) {
      const reason = new ForbiddenAddressError(target.literal, target.literal).message;
      return { kind: "blocked", reason, durationMs: elapsed() };
    }
    return await attempt(options, target, policy, now, elapsed);
  } catch (err) {
    return { kind: "error", error: describe(err), timedOut: false, durationMs: elapsed() };
  }
}

function attempt(
  options: SafePostOptions,
  target: Target,
  policy: AddressPolicy,
  now: () => number,
  elapsed: () => number,
): Promise<SafePostResult> {
  const timeoutMs = positive(options.timeoutMs, DEFAULT_TIMEOUT_MS);
  const maxBytes = Math.max(0, options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
  const lookup = options.lookup ?? (dns.lookup as LookupFunction);

  return new Promise((resolve) => {
    let settled = false;
    let req: http.ClientRequest | undefined;
    const finish = (result: SafePostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const fail = (err: unknown) =>
      finish(
        err instanceof ForbiddenAddressError
          ? { kind: "blocked", reason: err.message, durationMs: elapsed() }
          : { kind: "error", error: describe(err), timedOut: false, durationMs: elapsed() },
      );
    const timer = setTimeout(() => {
      finish({
        kind: "error",
        error: `no complete response within ${timeoutMs} ms; the attempt was abandoned`,
        timedOut: true,
        durationMs: elapsed(),
      });
      req?.destroy();
    }, timeoutMs);

    const send = () => {
      const requestOptions: GuardedRequestOptions = {
        protocol: target.url.protocol,
        host: target.host,
        port: target.port,
        method: "POST",
        path: `${target.url.pathname}${target.url.search}`,
        headers: target.headers,
        agent: agentFor(target.secure, options.agentKey ?? target.url.origin, policy),
        lookup,
        [POLICY]: policy,
      };
      const client = target.secure ? https : http;
      req = client.request(requestOptions, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const respond = () => {
          const headers = flattenHeaders(res.headers);
          const retryAfterMs = parseRetryAfter(headers["retry-after"], now());
          finish({
            kind: "response",
            status: res.statusCode ?? 0,
            headers,
            body: Buffer.concat(chunks).toString("utf8"),
            durationMs: elapsed(),
            ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
          });
        };
        res.on("data", (chunk: Buffer) => {
          if (settled) return;
          const room = maxBytes - size;
          if (chunk.length > room) {
            chunks.push(chunk.subarray(0, room));
            size = maxBytes;
            respond();
            // The rest of the body is unwanted; the socket cannot be reused without reading it.
            res.destroy();
            req?.destroy();
            return;
          }
          chunks.push(chunk);
          size += chunk.length;
        });
        res.on("end", respond);
        res.on("error", fail);
        res.on("close", () => {
          if (!res.complete)
            fail(new Error("the connection closed before the response body was complete"));
        });
      });
      const sent = req;
      sent.on("error", (err) => {
        // A pooled connection reset before any answer is almost always one
        // the server closed while idle (a keep-alive race): the request goes
        // again on another connection, as Node's documentation suggests. A
        // server that did read it gets it twice with the same webhook-id.
        if (!settled && sent.reusedSocket && isStaleSocketError(err)) start();
        else fail(err);
      });
      sent.end(options.body);
    };

    const start = () => {
      try {
        send();
      } catch (err) {
        fail(err);
      }
    };
    if (target.literal !== undefined) {
      start();
      return;
    }
    // Early refusal only; the connection resolves again through the guarded lookup.
    guardedLookup(lookup, policy)(target.url.hostname, { all: true }, (err) => {
      if (settled) return;
      if (err) fail(err);
      else start();
    });
  });
}

function isStaleSocketError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === "ECONNRESET" || code === "EPIPE" || code === "ECONNABORTED";
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}
