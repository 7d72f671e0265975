import path from "node:path";
import { defineConfig } from "vitest/config";

/**
 * Browser tests: real Chromium against `next start` of the production build
 * (run `npm run build` first). `npm run test:browser`.
 */
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["tests/browser/**/*.test.ts"],
    pool: "forks",
    // Each file starts its own server and browser; one at a time keeps them fast.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
