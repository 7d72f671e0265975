import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["tests/**/*.test.ts", "lib/**/*.test.ts"],
    // tests/processes run worker processes on PostgreSQL: npm run test:processes.
    exclude: ["tests/browser/**", "tests/processes/**", "tests/faults/**", "node_modules/**"],
    pool: "forks",
    // Each file starts its own database; PGlite's initdb alone takes seconds.
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
