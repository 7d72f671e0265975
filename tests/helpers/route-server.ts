import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { RouteContext } from "@/lib/http/route";

type Handler = (req: Request, ctx?: RouteContext) => Promise<Response>;

export interface ServedRoute {
  method: string;
  /** Matched against the path; named groups become the route's params. */
  path: RegExp;
  handler: Handler;
}

/**
 * A real HTTP server on 127.0.0.1 that hands requests to route handlers as
 * Next would (a Request in, a Response out), for code under test that speaks
 * HTTP — the agent — without building and starting Next. Unmatched paths 404.
 */
export async function serveRoutes(routes: ServedRoute[]) {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        const method = req.method ?? "GET";
        const found = routes
          .map((r) => ({ r, m: r.method === method ? r.path.exec(url.pathname) : null }))
          .find((x) => x.m);
        if (!found?.m) {
          res.writeHead(404, { "content-type": "application/json" }).end("{}");
          return;
        }
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) {
          if (typeof v === "string") headers.set(k, v);
          else if (Array.isArray(v)) for (const x of v) headers.append(k, x);
        }
        const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
        const response = await found.r.handler(
          new Request(url, { method, headers, ...(body ? { body } : {}) }),
          { params: Promise.resolve({ ...found.m.groups }) },
        );
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      })().catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
