import type { ErrorCode, FieldError, HttpError } from "./errors";

/** The body of an RFC 9457 problem answer. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
}

/** Problem types are stable URIs relative to the API, one per error code. */
export const problemType = (code: ErrorCode) => `/problems/${code.replaceAll("_", "-")}`;

export function problemResponse(error: HttpError): Response {
  const body: Problem = {
    type: problemType(error.code),
    title: error.title,
    status: error.status,
    detail: error.detail,
    code: error.code,
    ...(error.options.errors ? { errors: error.options.errors } : {}),
  };
  return new Response(JSON.stringify(body), {
    status: error.status,
    headers: {
      "content-type": "application/problem+json",
      "cache-control": "no-store",
      ...error.options.headers,
    },
  });
}
