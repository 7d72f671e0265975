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
