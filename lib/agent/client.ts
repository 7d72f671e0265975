import { parseRetryAfter } from "../security/safe-http";

export interface ClientOptions {
  /** Base URL of the Training Alerts server, e.g. http://localhost:3000. */
  url: string;
  /** ALERTS_SERVICE_KEY. */
  serviceKey: string;
  /** Limit for one request, answer included. Default 10_000 ms. */
  timeoutMs?: number;
  /** Clock for Retry-After dates. Default Date.now. */
  now?: () => number;
}

/** What became of one request. Failures are data; `post` never throws. */
export type SendResult =
  | { ok: true; status: number; body: unknown }
  | {
      ok: false;
      /** Worth trying again later: the API is down, overloaded or erred. */
      retry: boolean;
      /**
       * A 500-class answer that may be about this very request; the agent
       * gives up on an item after a few. Connection failures, 429, 502, 503
       * and 504 say the service is away, not that the request is bad.
       */
      suspect: boolean;
      status?: number;
      retryAfterMs?: number;
      message: string;
    };

export interface AlertsClient {
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<SendResult>;
}

const AWAY = new Set([408, 429, 502, 503, 504]);

/** Real HTTP to the producer API with the service key. */
export function createClient(options: ClientOptions): AlertsClient {
  const base = options.url.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  return {
    async post(path, body, headers = {}) {
      let res: Response;
      let text: string;
      try {
        res = await fetch(`${base}${path}`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${options.serviceKey}`,
            "user-agent": "training-alerts-agent",
            ...headers,
          },
          body: JSON.stringify(body),
          // A redirect would turn the POST into a GET elsewhere; say so instead.
          redirect: "manual",
          signal: AbortSignal.timeout(timeoutMs),
        });
        text = await res.text();
      } catch (error) {
        return {
          ok: false,
          retry: true,
          suspect: false,
          message: networkMessage(error, timeoutMs),
        };
      }
      const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"), now());
      if (res.status >= 200 && res.status < 300) {
        const parsed = parseJson(text);
        if (parsed.ok) return { ok: true, status: res.status, body: parsed.value };
        return {
          ok: false,
          retry: false,
          suspect: false,
          status: res.status,
          message: `answered ${res.status} with a body that is not JSON; is ${base} the Training Alerts server?`,
        };
      }
      const failure = {
        ok: false as const,
        status: res.status,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      };
      if (res.status >= 300 && res.status < 400) {
        return {
          ...failure,
          retry: false,
          suspect: false,
          message: `answered ${res.status}, a redirect to ${res.headers.get("location") ?? "elsewhere"}; pass the final address as --url`,
        };
      }
      const problem = describeProblem(res.status, text);
      if (AWAY.has(res.status))
        return { ...failure, retry: true, suspect: false, message: problem };
      if (res.status >= 500) return { ...failure, retry: true, suspect: true, message: problem };
      const hint =
        res.status === 401 || res.status === 403
          ? "; check --key / ALERTS_SERVICE_KEY (the server's service key)"
          : "";
      return { ...failure, retry: false, suspect: false, message: `${problem}${hint}` };
    },
  };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** "409 Conflict: The job is completed; … (status: …)" from a problem+json answer, or the raw start of the body. */
function describeProblem(status: number, text: string): string {
  const parsed = parseJson(text);
  if (parsed.ok && parsed.value && typeof parsed.value === "object") {
    const p = parsed.value as { title?: unknown; detail?: unknown; errors?: unknown };
    const errors = Array.isArray(p.errors)
      ? (p.errors as { path?: unknown; message?: unknown }[])
          .map((e) => `${String(e.path)}: ${String(e.message)}`)
          .join("; ")
      : "";
    const title = typeof p.title === "string" ? ` ${p.title}` : "";
    const detail = typeof p.detail === "string" ? `: ${p.detail}` : "";
    return `answered ${status}${title}${detail}${errors ? ` (${errors})` : ""}`;
  }
  const snippet = text.trim().slice(0, 200);
  return `answered ${status}${snippet ? `: ${snippet}` : ""}`;
}

function networkMessage(error: unknown, timeoutMs: number): string {
  const e = error as {
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (e?.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return `could not reach the API: ${cause ?? e?.message ?? String(error)}`;
}
