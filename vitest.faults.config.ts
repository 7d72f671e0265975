import path from "node:path";
import { defineConfig } from "vitest/config";

// The fault and abuse suite (DESIGN.md §6, issue 7): `npm run test:faults`.
// Runs on embedded PGlite unless TEST_DATABASE_URL names a PostgreSQL server.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["tests/faults/**/*.test.ts"],
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
