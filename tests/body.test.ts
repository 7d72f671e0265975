import { describe, expect, it } from "vitest";
import { MAX_BODY_DEPTH, readJsonBody } from "@/lib/http/body";
import { HttpError } from "@/lib/http/errors";

const read = (text: string) =>
  readJsonBody(
    new Request("http://localhost/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: text,
    }),
  );

async function rejection(text: string): Promise<HttpError> {
  const error = await read(text).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof HttpError)) throw new Error(`expected an HttpError, got ${String(error)}`);
  return error;
}

const nested = (depth: number) => `${"[".repeat(depth)}1${"]".repeat(depth)}`;

describe("readJsonBody", () => {
  it(`accepts nesting up to ${MAX_BODY_DEPTH} levels and answers 400 past it`, async () => {
    expect(await read(nested(MAX_BODY_DEPTH))).toBeDefined();
    const error = await rejection(nested(MAX_BODY_DEPTH + 1));
    expect(error.status).toBe(400);
    expect(error.detail).toMatch(/more than 64 levels deep/);
  });

  it("answers 10,000 nested arrays or objects with 400 instead of overflowing the stack", async () => {
    expect((await rejection(nested(10_000))).status).toBe(400);
    expect((await rejection(`${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`)).status).toBe(400);
  });

  it("replaces NUL and unpaired surrogates with U+FFFD in strings and keys, and keeps real pairs", async () => {
    const body = await read(
      '{"a\\u0000":["x\\u0000y","\\ud800","\\udc00z"],"ok":"😀 \\ud83d\\ude00","n":{"m":"\\u0000"}}',
    );
    expect(body).toEqual({
      "a\ufffd": ["x\ufffdy", "\ufffd", "\ufffdz"],
      ok: "😀 😀",
      n: { m: "\ufffd" },
    });
    expect(await read('"\\u0000"')).toBe("\ufffd");
  });

  it("keeps __proto__ an own data key, never the prototype, even when it is rewritten", async () => {
    const body = (await read(
      '{"__proto__":{"polluted":true},"x\\u0000":{"__proto__":1}}',
    )) as Record<string, unknown>;
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect(Object.keys(body)).toEqual(["__proto__", "x\ufffd"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
