import { createHash } from "node:crypto";

/**
 * Seeded randomness for fault tests: the seed is printed, and setting
 * FAULT_SEED to it replays the same choices (as far as the order in which
 * requests arrive allows).
 */
export function faultSeed(): number {
  const fromEnv = process.env.FAULT_SEED;
  if (fromEnv !== undefined && fromEnv !== "") {
    const seed = Number(fromEnv);
    if (!Number.isSafeInteger(seed))
      throw new Error(`FAULT_SEED must be an integer, got ${fromEnv}`);
    return seed;
  }
  return Math.floor(Math.random() * 2 ** 31);
}

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
}

/** mulberry32: small, fast, and good enough to pick faults. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
  };
}

/**
 * A generator for one named thing (a webhook-id, the n-th request of it):
 * its choices depend on the seed and the name, not on the order in which
 * concurrent requests happen to arrive.
 */
export function randomFor(seed: number, ...name: (string | number)[]): Random {
  const digest = createHash("sha256")
    .update(`${seed}:${name.join(":")}`)
    .digest();
  return seededRandom(digest.readUInt32LE(0));
}
