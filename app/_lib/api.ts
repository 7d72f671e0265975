import type { z } from "zod";
import type {
  historyPageSchema,
  keyCreatedSchema,
  keyViewSchema,
  preferencesViewSchema,
  webhookTestResultSchema,
  webhookViewSchema,
} from "@/lib/alerts";
import type { RouteContext } from "@/lib/http/route";

/**
 * The pages call the HTTP API's own route handlers, in process, with the
 * signed-in user's token as the Bearer credential. The UI therefore gets
 * exactly the API's validation, isolation (RLS) and problem+json errors, and
 * the token never reaches browser JavaScript (it lives in an httpOnly cookie).
 */

export type PreferencesJson = z.output<typeof preferencesViewSchema>;
export type WebhookJson = z.output<typeof webhookViewSchema>;
export type WebhookTestJson = z.output<typeof webhookTestResultSchema>;
export type HistoryPageJson = z.output<typeof historyPageSchema>;
export type HistoryItemJson = HistoryPageJson["items"][number];
export type KeyJson = z.output<typeof keyViewSchema>;
export type KeyCreatedJson = z.output<typeof keyCreatedSchema>;

/** A problem+json answer, reduced to what a page shows. */
export interface ProblemView {
  status: number;
  title: string;
  detail: string;
  /** Field errors; `path` names the field (`email_address`, `url`, `job_id`). */
  errors: { path: string; message: string }[];
}

export type ApiResult<T> =
  | { ok: true; status: number; data: T }
  | { ok: false; status: number; problem: ProblemView };

type Handler = (req: Request, ctx?: RouteContext) => Promise<Response>;

export interface ApiCall {
  body?: unknown;
  params?: Record<string, string>;
  query?: Record<string, string | undefined>;
}

// Only the path and query of this URL matter to the handlers.
const INTERNAL_ORIGIN = "http://training-alerts.internal";

export async function callApi<T>(
  token: string,
  handler: Handler,
  method: string,
  path: string,
  call: ApiCall = {},
): Promise<ApiResult<T>> {
  const url = new URL(path, INTERNAL_ORIGIN);
  for (const [key, value] of Object.entries(call.query ?? {})) {
    if (value !== undefined && value !== "") url.searchParams.set(key, value);
  }
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (call.body !== undefined) headers["content-type"] = "application/json";
  const res = await handler(
    new Request(url, {
      method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
    }),
    { params: Promise.resolve(call.params ?? {}) },
  );
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (res.ok) return { ok: true, status: res.status, data: parsed as T };
  return { ok: false, status: res.status, problem: toProblem(parsed, res.status) };
}

export function toProblem(body: unknown, status: number): ProblemView {
  const b = (body ?? {}) as Partial<ProblemView>;
  return {
    status,
    title: typeof b.title === "string" ? b.title : "Request failed",
    detail: typeof b.detail === "string" ? b.detail : `The server answered HTTP ${status}.`,
    errors: Array.isArray(b.errors)
      ? b.errors.filter(
          (e): e is { path: string; message: string } =>
            typeof e?.path === "string" && typeof e?.message === "string",
        )
      : [],
  };
}

/** What a server action answers when the session is gone. */
export const SIGNED_OUT: ProblemView = {
  status: 401,
  title: "Signed out",
  detail: "Your session has ended. Sign in again, then repeat what you were doing.",
  errors: [],
};
