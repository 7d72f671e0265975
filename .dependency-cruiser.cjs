/**
 * Architecture rules, checked by `npm run lint` (docs/architecture.md):
 * the alert core depends on nothing above it, and nothing in lib/ reaches
 * into the app.
 */
module.exports = {
  forbidden: [
    {
      name: "alerts-core-stands-alone",
      comment:
        "lib/alerts is the core: what it needs from outside is a port in lib/alerts/ports.ts, plugged in by lib/engine.",
      severity: "error",
      from: { path: "^lib/alerts/" },
      to: { path: "^(lib/(http|queue|server|engine|web)|app)/" },
    },
    {
      name: "alerts-through-its-index",
      comment:
        "Routes, pages and lib/http use lib/alerts through its public surface (lib/alerts/index.ts; client.ts in client components), so the core's files can move without touching them.",
      severity: "error",
      from: { path: "^(app|lib/http)/" },
      to: {
        path: "^lib/alerts/",
        pathNot: "^lib/alerts/(index|client)\\.ts$",
      },
    },
    {
      name: "webhook-kinds-are-browser-safe",
      comment:
        "What the web UI knows of each webhook kind (channels/<kind>/kind.ts, listed in channels/kinds.ts) goes into the browser bundle through lib/alerts/client.ts: those files import only each other, never a channel, a formatter or Node.",
      severity: "error",
      from: { path: "^lib/alerts/channels/([^/]+/kind|kinds|webhook-kind)\\.ts$" },
      to: {
        pathNot: "^lib/alerts/channels/([^/]+/kind|webhook-kind)\\.ts$",
        // Types (AlertFlag) are erased: they add nothing to the bundle.
        dependencyTypesNot: ["type-only"],
      },
    },
    {
      name: "lib-never-imports-app",
      comment: "Routes and pages use lib; lib never uses them.",
      severity: "error",
      from: { path: "^lib/" },
      to: { path: "^app/" },
    },
    {
      name: "queue-below-engine",
      comment: "pg-boss wiring is a part the engine composes, not the other way round.",
      severity: "error",
      from: { path: "^lib/(queue|db|config|security)/" },
      to: { path: "^lib/engine/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|\\.next)/" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
    },
  },
};
