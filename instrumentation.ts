/**
 * Next calls register() once when the server starts. Node-only start-up lives
 * in instrumentation-node.ts so the Edge bundle never sees it.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startNode } = await import("./instrumentation-node");
    await startNode();
  }
}
