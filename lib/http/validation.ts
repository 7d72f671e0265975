import type { z } from "zod";
import { type FieldError, HttpError } from "./errors";

/** Parses `input` with `schema`, or throws a 422 that names every bad field. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where = "body",
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = result.error.issues.flatMap((issue) => toFieldErrors(issue, schema));
  const summary = errors.map((e) => `${e.path}: ${e.message}`).join("; ");
  throw new HttpError("validation_failed", `The request ${where} is not valid. ${summary}`, {
    errors,
  });
}

function toFieldErrors(issue: z.core.$ZodIssue, root: z.ZodType): FieldError[] {
  const base = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    const known = knownKeys(root, base);
    return issue.keys.map((key) => ({
      path: dotted([...base, key]),
      message: unknownFieldMessage(key, known),
    }));
  }
  return [{ path: dotted(base) || "(root)", message: issue.message }];
}

// An empty name ("?=1", {"": 1}) is still a field the client sent; show it as "".
const dotted = (path: string[]) => path.map((p) => (p === "" ? '""' : p)).join(".");

function unknownFieldMessage(key: string, known: string[]): string {
  const close = known.find((k) => editDistance(k, key) <= 2);
  if (close) return `unknown field; did you mean "${close}"?`;
  return known.length > 0
    ? `unknown field; remove it (accepted fields: ${known.join(", ")})`
    : "unknown field; remove it";
}

/** The keys an object schema accepts at `path`, for "did you mean" hints. */
function knownKeys(schema: z.ZodType, path: string[]): string[] {
  let current: unknown = schema;
  for (const segment of path) {
    const shape = shapeOf(current);
    current = shape?.[segment];
  }
  return Object.keys(shapeOf(current) ?? {});
}

function shapeOf(schema: unknown): Record<string, unknown> | undefined {
  let s = schema as { shape?: Record<string, unknown>; unwrap?: () => unknown } | undefined;
  // Optional/nullable/default wrappers hide the object's shape one level down.
  for (let i = 0; i < 5 && s && !s.shape && typeof s.unwrap === "function"; i++) {
    s = s.unwrap() as typeof s;
  }
  return s?.shape;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min(
        (row[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}
