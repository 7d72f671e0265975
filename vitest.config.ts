import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["tests/**/*.test.ts", "lib/**/*.test.ts"],
    // tests/processes run worker processes on PostgreSQL: npm run test:processes;
    // tests/supabase builds a Supabase-shaped cluster: npm run test:supabase.
    exclude: [
      "tests/browser/**",
      "tests/processes/**",
      "tests/faults/**",
      "tests/supabase/**",
      "node_modules/**",
    ],
    pool: "forks",
    // Each file starts its own database; PGlite's initdb alone takes seconds.
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
