import { describe, expect, it } from "vitest";
import type { SafePostResult } from "../../security/safe-http";
import { classifyHttp } from "./classify-http";

const answer = (status: number, body = "", retryAfterMs?: number): SafePostResult => ({
  kind: "response",
  status,
  headers: {},
  body,
  durationMs: 12.4,
  ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
});

describe("classifyHttp (DESIGN.md §6, an HTTP answer to a verdict)", () => {
  it("delivers on any 2xx, with the status and the rounded duration", () => {
    for (const status of [200, 201, 202, 204]) {
      expect(classifyHttp(answer(status))).toEqual({
        verdict: "delivered",
        statusCode: status,
        error: null,
        durationMs: 12,
      });
    }
  });

  it("fails a redirect, saying redirects are not followed", () => {
    for (const status of [301, 302, 307, 308]) {
      const r = classifyHttp(answer(status, "moved"));
      expect(r.verdict).toBe("failed");
      expect(r.error).toBe(`HTTP ${status}: moved (redirects are not followed; use the final URL)`);
    }
  });

  it("revokes on 410 and on what the platform's rule calls gone, and fails other 4xx", () => {
    expect(classifyHttp(answer(410, "gone")).verdict).toBe("revoked");
    const rules = {
      revoked: (status: number, body: string) => status === 404 && body === "no_service",
    };
    expect(classifyHttp(answer(404, "no_service"), rules).verdict).toBe("revoked");
    expect(classifyHttp(answer(404, "other"), rules).verdict).toBe("failed");
    expect(classifyHttp(answer(400, "bad")).verdict).toBe("failed");
    expect(classifyHttp(answer(403)).verdict).toBe("failed");
  });

  it("retries 408, 429 and 5xx, honouring Retry-After, or the platform's wait in a 429's body", () => {
    expect(classifyHttp(answer(408))).toMatchObject({ verdict: "retry", statusCode: 408 });
    expect(classifyHttp(answer(503, "down"))).toEqual({
      verdict: "retry",
      statusCode: 503,
      error: "HTTP 503: down",
      durationMs: 12,
    });
    expect(classifyHttp(answer(429, "", 30_000))).toMatchObject({
      verdict: "retry",
      afterMs: 30_000,
    });
    const rules = {
      retryAfterInBody: (body: string) => Number(JSON.parse(body).retry_after) * 1000,
    };
    expect(classifyHttp(answer(429, '{"retry_after": 2}'), rules)).toMatchObject({ afterMs: 2000 });
    // The header wins over the body; a 5xx's body is not read for a wait.
    expect(classifyHttp(answer(429, '{"retry_after": 2}', 5000), rules)).toMatchObject({
      afterMs: 5000,
    });
    expect(classifyHttp(answer(500, '{"retry_after": 2}'), rules)).not.toHaveProperty("afterMs");
  });

  it("keeps the first 200 characters of the answer's body, whitespace folded, in the error", () => {
    const r = classifyHttp(answer(400, `a\n\n  b${"x".repeat(300)}`));
    expect(r.error).toBe(`HTTP 400: a b${"x".repeat(194)}`);
  });

  it("fails a blocked address and retries a network error or a timeout", () => {
    expect(classifyHttp({ kind: "blocked", reason: "private address", durationMs: 1 })).toEqual({
      verdict: "failed",
      statusCode: null,
      error: "blocked: private address",
      durationMs: 1,
    });
    expect(
      classifyHttp({ kind: "error", error: "ECONNRESET", timedOut: false, durationMs: 3 }),
    ).toMatchObject({ verdict: "retry", statusCode: null, error: "ECONNRESET" });
    expect(
      classifyHttp({ kind: "error", error: "aborted", timedOut: true, durationMs: 10_000 }),
    ).toMatchObject({ verdict: "retry", error: "timed out after 10 s" });
  });
});
