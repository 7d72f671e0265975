import { z } from "zod";

/**
 * `limit` and `cursor`, the query fields every keyset-paged list takes: spread
 * into a route's query schema (`z.strictObject({ ...pageQuery, … })`).
 */
export const pageQuery = {
  limit: z
    .string()
    .regex(/^\d+$/, { error: "must be a whole number from 1 to 100" })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, { error: "must be from 1 to 100" })
        .max(100, { error: "must be from 1 to 100" }),
    )
    .default(20),
  cursor: z
    .string()
    .max(200, { error: "must be a next_cursor value from a previous page" })
    .optional(),
};
