import type { z } from "zod";
import { isConnectionError } from "../db/connection-errors";
import { ensureUser } from "../db/users";
import { type AppContext, getContext } from "../server/context";
import type { Caller } from "./auth";
import { bearerToken } from "./bearer-token";
import { readJsonBody } from "./body";
import { HttpError } from "./errors";
import { problemResponse } from "./problem";
import { authenticateProducerKey, isProducerKeyToken } from "./producer-keys";
import { type RateLimitDecision, rateLimitHeaders } from "./rate-limit";
import { parseOrThrow } from "./validation";

/** Who may call a route: a user token, the service key, or anyone. */
export type Access = "user" | "service" | "public";

export interface RouteOptions<B extends z.ZodType | undefined, Q extends z.ZodType | undefined> {
  access: Access;
  /** Validates the JSON body; unset means the route reads no body. */
  body?: B;
  /** Validates the query string (as an object of strings). */
  query?: Q;
}

type UserOf<A extends Access> = A extends "user"
  ? { userId: string; email: string | undefined }
  : undefined;

export interface RouteInput<A extends Access, B, Q> {
  req: Request;
  ctx: AppContext;
  caller: A extends "public" ? Caller | undefined : Caller;
  user: UserOf<A>;
  body: B;
  query: Q;
  params: Record<string, string>;
}

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

/** The second argument Next passes to a route handler. */
export interface RouteContext {
  params: Promise<Record<string, string>>;
}

/**
 * Wraps a route handler: authentication, body and query validation, and the
 * single place where errors become problem+json. Unknown errors are logged and
 * answered with a generic 500 that reveals nothing.
 */
export function route<
  A extends Access,
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
>(
  options: RouteOptions<B, Q> & { access: A },
  handler: (input: RouteInput<A, Out<B>, Out<Q>>) => Promise<Response>,
): (req: Request, routeContext?: RouteContext) => Promise<Response> {
  return async (req, routeContext) => {
    let ctx: AppContext | undefined;
    let limit: RateLimitDecision | undefined;
    let userId: string | undefined;
    try {
      ctx = await getContext();
      const caller = await authorize(ctx, req, options.access);
      if (caller?.kind === "user") userId = caller.userId;
      // After authentication, so a flood of bad tokens stays a cheap 401 and
      // cannot spend a real caller's budget; before anything is read or written.
      limit = caller ? takeToken(ctx, caller) : undefined;
      const user = (
        caller?.kind === "user" ? { userId: caller.userId, email: caller.email } : undefined
      ) as UserOf<A>;
      if (caller?.kind === "user" && !ctx.knownUsers.has(caller.userId)) {
        // On Supabase: a valid token of a user deleted since it was issued.
        if (!(await ensureUser(ctx.db, caller.userId, caller.email))) throw accountGone();
        ctx.knownUsers.add(caller.userId);
      }
      const query = options.query
        ? parseOrThrow(options.query, Object.fromEntries(new URL(req.url).searchParams), "query")
        : undefined;
      const body = options.body ? parseOrThrow(options.body, await readJsonBody(req)) : undefined;
      const params = (await routeContext?.params) ?? {};
      const res = await handler({
        req,
        ctx,
        caller: caller as RouteInput<A, Out<B>, Out<Q>>["caller"],
        user,
        body: body as Out<B>,
        query: query as Out<Q>,
        params,
      });
      return limit ? withHeaders(res, rateLimitHeaders(limit)) : res;
    } catch (error) {
      // A user deleted after this process first saw them: their rows are gone
      // (ON DELETE CASCADE), and a write in their name misses auth.users.
      const gone = userId !== undefined && missesAuthUser(error);
      if (gone && userId) ctx?.knownUsers.delete(userId);
      const res = errorResponse(gone ? accountGone() : error, ctx);
      return limit ? withHeaders(res, rateLimitHeaders(limit)) : res;
    }
  };
}

const accountGone = () =>
  new HttpError(
    "unauthenticated",
    "This account no longer exists: the token is valid, but its user is not in auth.users. Sign in again or ask an administrator.",
    { headers: { "www-authenticate": 'Bearer realm="training-alerts", error="invalid_token"' } },
  );

/** A foreign-key violation of a project table's `user_id` (which references auth.users). */
function missesAuthUser(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string } | undefined;
  return e?.code === "23503" && /_user_id_fkey$/.test(e.constraint ?? "");
}

/**
 * One token from the caller's bucket: per user on user routes, the service
 * key's own on producer routes. Throws 429 when the bucket is empty.
 */
function takeToken(ctx: AppContext, caller: Caller): RateLimitDecision | undefined {
  const { userPerMinute, ingestPerMinute } = ctx.config.apiRateLimit;
  // A producer key has its own bucket, the size of a user's.
  const [key, perMinute] =
    caller.kind === "user"
      ? [`user:${caller.userId}`, userPerMinute]
      : caller.kind === "producer"
        ? [`key:${caller.keyId}`, userPerMinute]
        : ["service", ingestPerMinute];
  if (perMinute === 0) return undefined;
  const decision = ctx.rateLimiter.take(key, perMinute, ctx.clock());
  if (decision.allowed) return decision;
  const who =
    caller.kind === "user"
      ? `this user has sent more than ${perMinute} requests in a minute (ALERTS_API_RATE_LIMIT_PER_MINUTE)`
      : caller.kind === "producer"
        ? `this producer key has sent more than ${perMinute} requests in a minute (ALERTS_API_RATE_LIMIT_PER_MINUTE)`
        : `the service key has sent more than ${perMinute} requests in a minute (ALERTS_INGEST_RATE_LIMIT_PER_MINUTE)`;
  throw new HttpError(
    "rate_limited",
    `Too many requests: ${who}. Retry after ${decision.retryAfterSeconds} s, and pace requests by the RateLimit-Remaining header.`,
    { headers: rateLimitHeaders(decision) },
  );
}

/** Adds headers to an answer; a Response with immutable headers is copied. */
function withHeaders(res: Response, headers: Record<string, string>): Response {
  try {
    for (const [name, value] of Object.entries(headers)) res.headers.set(name, value);
    return res;
  } catch {
    const copy = new Headers(res.headers);
    for (const [name, value] of Object.entries(headers)) copy.set(name, value);
    return new Response(res.body, {
      status: res.status,
      statusText: res.statusText,
      headers: copy,
    });
  }
}

async function authorize(
  ctx: AppContext,
  req: Request,
  access: Access,
): Promise<Caller | undefined> {
  if (access === "public") return undefined;
  const token = bearerToken(req.headers.get("authorization"));
  const caller =
    token && isProducerKeyToken(token)
      ? await authenticateProducerKey(ctx.db, token, ctx.clock())
      : await ctx.auth.authenticate(req);
  if (access === "user" && caller.kind !== "user") {
    throw new HttpError(
      "forbidden",
      "This route is for users; a producer or service key cannot act as a user. Send a user's access token.",
    );
  }
  if (access === "service" && caller.kind === "user") {
    throw new HttpError(
      "forbidden",
      "This route is for producers; send a producer key (tak_…, Settings → API keys) or the service key (ALERTS_SERVICE_KEY), not a user token.",
    );
  }
  return caller;
}

export function errorResponse(error: unknown, ctx?: AppContext): Response {
  if (error instanceof HttpError) return problemResponse(error);
  if (isConnectionError(error)) {
    ctx?.log.warn({ err: error }, "database unavailable");
    return problemResponse(
      new HttpError("unavailable", "The database is not reachable right now; retry shortly.", {
        headers: { "retry-after": "5" },
      }),
    );
  }
  if (ctx) ctx.log.error({ err: error }, "unhandled error in route");
  else console.error("unhandled error in route", error);
  return problemResponse(
    new HttpError("internal", "Something went wrong on our side; it has been logged."),
  );
}

/**
 * Below this many bytes an answer is not worth compressing: the threshold of
 * the compression middleware `next start` runs (1 KiB), which it cannot apply
 * to a route handler's answer because Next drops the Content-Length it would
 * measure. It would gzip every 202 of POST /api/alerts/events for a client
 * that accepts gzip, a fresh zlib stream each (about 45 µs of CPU), into a
 * body larger than the original.
 */
const COMPRESS_MIN_BYTES = 1024;

/** A JSON answer; one under COMPRESS_MIN_BYTES says `no-transform`, so it goes out as it is. */
export function json(data: unknown, status = 200, headers: Record<string, string> = {}): Response {
  const text = JSON.stringify(data);
  const small = Buffer.byteLength(text ?? "") < COMPRESS_MIN_BYTES;
  return new Response(text, {
    status,
    headers: {
      "content-type": "application/json",
      "cache-control": small ? "no-store, no-transform" : "no-store",
      ...headers,
    },
  });
}

export const noContent = () => new Response(null, { status: 204 });
