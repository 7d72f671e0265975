import path from "node:path";
import { defineConfig } from "vitest/config";

// The fault and abuse suite (DESIGN.md §6, issue 7): `npm run test:faults`.
// Fuzzing and authorisation run on embedded PGlite unless TEST_DATABASE_URL
// names a PostgreSQL server; the files that run real worker processes need it
// (and fail, not skip, without it). The PostgreSQL-restart files create a
// throwaway cluster of their own: they need root, Debian's postgresql and
// postgresql-common packages, and `npm run build` (they run next start).
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["tests/faults/**/*.test.ts"],
    pool: "forks",
    // One file at a time: the process files run several workers each, and
    // their receivers answer close to the 10 s limit; the machine has two cores.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
