import { readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { RouteContext } from "@/lib/http/route";

export type Handler = (req: Request, ctx?: RouteContext) => Promise<Response>;

/** One exported method of one `app/api/**\/route.ts`. */
export interface ApiRoute {
  method: string;
  /** The URL path with Next's segments kept: `/api/alerts/webhooks/[id]`. */
  pattern: string;
  /** `METHOD pattern`, the route's name in test titles. */
  name: string;
  /** Dynamic segments, in order (`id`). */
  params: string[];
  handler: Handler;
}

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const root = path.resolve(import.meta.dirname, "../..");

/**
 * Every route handler of the API, found on disk, so that a route added later
 * is fuzzed and checked for authorisation without anyone listing it.
 */
export async function discoverRoutes(): Promise<ApiRoute[]> {
  const dir = path.join(root, "app/api");
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => path.basename(f) === "route.ts")
    .sort();
  const routes: ApiRoute[] = [];
  for (const file of files) {
    const pattern = `/api/${path.dirname(file).split(path.sep).join("/")}`;
    const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as Record<string, unknown>;
    for (const method of METHODS) {
      const handler = mod[method];
      if (typeof handler !== "function") continue;
      routes.push({
        method,
        pattern,
        name: `${method} ${pattern}`,
        params: [...pattern.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1] ?? ""),
        handler: handler as Handler,
      });
    }
  }
  if (routes.length === 0) throw new Error(`no route handlers found under ${dir}`);
  return routes;
}

/** The concrete path for `pattern` with its params filled in (URL-encoded). */
export function pathFor(pattern: string, params: Record<string, string>): string {
  return pattern.replace(/\[([^\]]+)\]/g, (_, name: string) =>
    encodeURIComponent(params[name] ?? ""),
  );
}
