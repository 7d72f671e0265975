import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The local webhook receiver: answers 200 at once, counts arrivals, and
 * timestamps each marker it finds in a body (`data.marker`). Bodies are
 * parsed only when they mention a marker, so counting stays cheap.
 */
export interface BenchReceiver {
  url: string;
  /** Requests received since the last `reset()`. */
  count(): number;
  /** performance.now() of each marker's first arrival. */
  arrivals: Map<string, number>;
  /** Distinct webhook-id headers seen (exactly-once check). */
  ids: Set<string>;
  reset(): void;
  /** Calls `listener` with every request's path and body as it arrives; answers the unsubscribe. */
  watch(listener: (req: { path: string; body: string; at: number }) => void): () => void;
  /** Resolves when `n` requests arrived; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function startBenchReceiver(): Promise<BenchReceiver> {
  let count = 0;
  const arrivals = new Map<string, number>();
  const ids = new Set<string>();
  let waiter: { n: number; resolve: () => void } | undefined;
  const listeners = new Set<(req: { path: string; body: string; at: number }) => void>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = performance.now();
      count++;
      const id = req.headers["webhook-id"];
      if (typeof id === "string") ids.add(id);
      const text = Buffer.concat(chunks).toString("utf8");
      const m = /"marker":"([^"]+)"/.exec(text);
      if (m?.[1] && !arrivals.has(m[1])) arrivals.set(m[1], at);
      for (const l of listeners) l({ path: req.url ?? "/", body: text, at });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
      if (waiter && count >= waiter.n) {
        const w = waiter;
        waiter = undefined;
        w.resolve();
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => count,
    arrivals,
    ids,
    watch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reset() {
      count = 0;
      arrivals.clear();
      ids.clear();
    },
    waitFor(n, timeoutMs) {
      if (count >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter = undefined;
          reject(new Error(`receiver got ${count} of ${n} requests in ${timeoutMs} ms`));
        }, timeoutMs);
        waiter = {
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
