import { EventEmitter, once } from "node:events";
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
  /**
   * True once the connection closed without an answer: the client gave up
   * (its time limit) or died, or the receiver dropped, reset or hung it.
   */
  unanswered?: boolean;
  /** When the connection closed or the answer was complete (performance.now()). */
  closedAt?: number;
}

export interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/**
 * What the receiver does with a request: a reply; "drop" closes the
 * connection without an answer (FIN); "reset" aborts it (TCP RST); "hang"
 * never answers, and "stall" sends 200 headers and the start of a body that
 * never ends — both leave the client to its own time limit.
 */
export type Answer = Reply | "drop" | "reset" | "hang" | "stall";

/**
 * How the receiver answers the n-th request (0-based): an answer, now or
 * later (a slow receiver).
 */
export type Responder = (req: ReceivedRequest, n: number) => Answer | Promise<Answer>;

export interface ReceiverOptions {
  /**
   * How long an idle keep-alive connection stays open. Default Node's 5 s.
   * A receiver that closes idle connections before the client's pool does
   * races the client reusing them. Tests that count requests set this well
   * above the client's idle timeout, as a well-configured server would.
   */
  keepAliveTimeoutMs?: number;
}

/**
 * A real HTTP receiver on 127.0.0.1 that records what it gets. `waitFor(n)`
 * resolves when n requests have arrived (answered or not); `events` emits
 * `request` as each arrives and `answered` once its answer is sent, for
 * `waitOn` — tests wait on events, not on time.
 */
export async function startReceiver(
  respond: Responder = () => ({ status: 200 }),
  options: ReceiverOptions = {},
) {
  const requests: ReceivedRequest[] = [];
  let connections = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const events = new EventEmitter<{ request: [ReceivedRequest]; answered: [ReceivedRequest] }>();
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
      events.emit("request", received);
      for (const w of [...waiters]) {
        if (requests.length >= w.n) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
      res.on("close", () => {
        received.closedAt = performance.now();
        if (received.status === undefined) received.unanswered = true;
      });
      void Promise.resolve(respond(received, n)).then((reply) => {
        if (reply === "hang") return;
        if (reply === "drop") {
          req.socket.destroy();
          return;
        }
        if (reply === "reset") {
          req.socket.resetAndDestroy();
          return;
        }
        if (reply === "stall") {
          res.writeHead(200, { "content-type": "application/json" });
          res.write('{"ok":');
          return;
        }
        // An answer to a client that already gave up is not an answer.
        if (res.destroyed || req.socket.destroyed) return;
        res.on("finish", () => {
          received.status = reply.status;
          events.emit("answered", received);
        });
        res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
        res.end(reply.body ?? "");
      });
    });
  });
  server.on("connection", () => {
    connections++;
  });
  if (options.keepAliveTimeoutMs !== undefined) {
    server.keepAliveTimeout = options.keepAliveTimeoutMs;
  }
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    events,
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
