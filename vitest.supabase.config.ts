import path from "node:path";
import { defineConfig } from "vitest/config";

// The project on a Supabase-shaped database (issue 13): `npm run test:supabase`.
// Each file builds a throwaway PostgreSQL cluster of its own from
// tests/fixtures/supabase-*.sql (Supabase's roles, default privileges, auth
// schema and 2025 lockdown), so it needs root and Debian's postgresql and
// postgresql-common packages, and `npm run build` first (it runs next start).
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["tests/supabase/**/*.test.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
