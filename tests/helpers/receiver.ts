import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
  /** The status the receiver answered, once the answer is sent; unset while held or when dropped. */
  status?: number;
}

export interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/**
 * How the receiver answers the n-th request (0-based): a reply, now or later
 * (a slow receiver), or "drop" to close the connection without an answer.
 */
export type Responder = (
  req: ReceivedRequest,
  n: number,
) => Reply | "drop" | Promise<Reply | "drop">;

/**
 * A real HTTP receiver on 127.0.0.1 that records what it gets. `waitFor(n)`
 * resolves when n requests have arrived (answered or not) — tests wait on
 * events, not on time.
 */
export async function startReceiver(respond: Responder = () => ({ status: 200 })) {
  const requests: ReceivedRequest[] = [];
  let connections = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const received: ReceivedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: performance.now(),
      };
      const n = requests.length;
      requests.push(received);
      for (const w of [...waiters]) {
        if (requests.length >= w.n) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
      void Promise.resolve(respond(received, n)).then((reply) => {
        if (reply === "drop") {
          req.socket.destroy();
          return;
        }
        res.on("finish", () => {
          received.status = reply.status;
        });
        res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
        res.end(reply.body ?? "");
      });
    });
  });
  server.on("connection", () => {
    connections++;
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get connections() {
      return connections;
    },
    waitFor(n: number, timeoutMs = 20_000): Promise<void> {
      if (requests.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`receiver got ${requests.length} of ${n} requests in ${timeoutMs} ms`),
            ),
          timeoutMs,
        );
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
