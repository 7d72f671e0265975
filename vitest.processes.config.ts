import path from "node:path";
import { defineConfig } from "vitest/config";

// Real worker processes against PostgreSQL (TEST_DATABASE_URL): `npm run test:processes`.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["tests/processes/**/*.test.ts"],
    pool: "forks",
    // One file at a time: each runs several workers, and the machine has two cores.
    fileParallelism: false,
    // A worker killed mid-send is only replaced after its lease and the job's expiry: minutes.
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
