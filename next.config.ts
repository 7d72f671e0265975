import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // These packages load native files (PGlite's WASM, pg's optional bindings) at
  // run time from their own folders; bundling them breaks those paths.
  serverExternalPackages: ["@electric-sql/pglite", "pg", "pg-boss", "pino", "nodemailer"],
  poweredByHeader: false,
};

export default nextConfig;
