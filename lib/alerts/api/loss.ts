import { z } from "zod";

/**
 * A reported loss. JSON has no NaN or infinities, so besides numbers the
 * producer routes take the words Python and NumPy print for them: "nan",
 * "inf", "-inf" (also "+inf", "infinity", "-infinity", any case). They parse
 * to NaN and ±Infinity; a non-finite loss raises `loss_diverged` (once per
 * job) and is not stored over the last finite one.
 */
const WORDS: Record<string, number> = {
  nan: Number.NaN,
  "+nan": Number.NaN,
  "-nan": Number.NaN,
  inf: Number.POSITIVE_INFINITY,
  "+inf": Number.POSITIVE_INFINITY,
  infinity: Number.POSITIVE_INFINITY,
  "+infinity": Number.POSITIVE_INFINITY,
  "-inf": Number.NEGATIVE_INFINITY,
  "-infinity": Number.NEGATIVE_INFINITY,
};

const LOSS_ERROR = 'must be a number, or one of "nan", "inf", "-inf"';

export const lossInput = z
  .union(
    [
      z.number({ error: LOSS_ERROR }),
      z
        .string({ error: LOSS_ERROR })
        .refine((s) => Object.hasOwn(WORDS, s.trim().toLowerCase()), { error: LOSS_ERROR })
        .transform((s) => WORDS[s.trim().toLowerCase()] as number),
    ],
    { error: LOSS_ERROR },
  )
  .describe('A number, or "nan", "inf", "-inf" for a non-finite loss (raises loss_diverged)');

/** The word a non-finite loss is recorded as in event data; undefined for a finite number. */
export function nonFiniteWord(loss: number | null | undefined): "nan" | "inf" | "-inf" | undefined {
  if (loss === null || loss === undefined || Number.isFinite(loss)) return undefined;
  if (Number.isNaN(loss)) return "nan";
  return loss > 0 ? "inf" : "-inf";
}
