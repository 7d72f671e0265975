import http from "node:http";

/**
 * A minimal keep-alive HTTP client for 127.0.0.1 only. Both sides of every
 * comparison (the measured route and its baseline) go through this one
 * client, so that client overhead cancels out of the ratio.
 */
export interface Client {
  request(
    method: string,
    url: string,
    body?: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: string }>;
  close(): void;
}

export function createClient(maxSockets: number): Client {
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  return {
    request(method, url, body, headers = {}) {
      const target = new URL(url);
      if (target.hostname !== "127.0.0.1")
        throw new Error(`bench traffic stays on 127.0.0.1, not ${url}`);
      const send = (retried: boolean) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = http.request(
            {
              host: target.hostname,
              port: target.port,
              path: `${target.pathname}${target.search}`,
              method,
              agent,
              headers: {
                ...headers,
                ...(body === undefined
                  ? {}
                  : { "content-length": String(Buffer.byteLength(body)) }),
              },
              timeout: 30_000,
            },
            (res) => {
              const chunks: Buffer[] = [];
              res.on("data", (c: Buffer) => chunks.push(c));
              res.on("end", () =>
                resolve({
                  status: res.statusCode ?? 0,
                  body: Buffer.concat(chunks).toString("utf8"),
                }),
              );
              res.on("error", reject);
            },
          );
          req.on("timeout", () => req.destroy(new Error(`${method} ${url}: no answer in 30 s`)));
          req.on("error", (error: NodeJS.ErrnoException) => {
            // A kept-alive socket the server closed while idle (Next's keep-alive
            // timeout is 5 s): the request never reached it, so it goes once more.
            if (!retried && req.reusedSocket && error.code === "ECONNRESET")
              send(true).then(resolve, reject);
            else reject(error);
          });
          req.end(body);
        });
      return send(false);
    },
    close: () => agent.destroy(),
  };
}

export interface LoopResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  firstError?: string;
}

/**
 * A closed loop: `concurrency` callers each issue one request after another
 * until `durationMs` passed or `maxRequests` were started, whichever first.
 */
export async function closedLoop(
  concurrency: number,
  durationMs: number,
  maxRequests: number,
  once: (i: number) => Promise<boolean>,
): Promise<LoopResult> {
  let started = 0;
  let errors = 0;
  let done = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const deadline = t0 + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < maxRequests && performance.now() < deadline) {
        const i = started++;
        try {
          if (!(await once(i))) errors++;
        } catch (error) {
          errors++;
          firstError ??= (error as Error).message;
        }
        done++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { requests: done, errors, seconds, perSecond: (done - errors) / seconds, firstError };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}
