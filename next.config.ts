import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // These packages load native files (PGlite's WASM, pg's optional bindings) at
  // run time from their own folders; bundling them breaks those paths.
  // prom-client is kept out too: one copy per process, whose registry the
  // worker and the metrics route share.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "pg",
    "pg-boss",
    "pino",
    "nodemailer",
    "prom-client",
  ],
  poweredByHeader: false,
};

export default nextConfig;
