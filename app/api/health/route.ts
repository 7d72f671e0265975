import { countOperatorErrors } from "@/lib/alerts";
import { getWorkerState } from "@/lib/queue/worker-state";
import { getContext } from "@/lib/server/context";

export const dynamic = "force-dynamic";

const DB_TIMEOUT_MS = 2000;

/**
 * Liveness and readiness: 200 when the database answers, 503 while it does
 * not (the service keeps running and reconnects by itself). `operator_errors`
 * counts deliveries held back by the deployment itself (a webhook that no
 * configured key can decrypt): they keep retrying until it is fixed.
 */
export async function GET(): Promise<Response> {
  let db: "ok" | "unreachable" = "unreachable";
  let worker = "unknown";
  let operatorErrors: number | null = null;
  try {
    const ctx = await getContext();
    worker = getWorkerState(ctx.config.worker);
    await Promise.race([
      countOperatorErrors(ctx.db).then((n) => {
        operatorErrors = n;
      }),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error("timeout")), DB_TIMEOUT_MS).unref(),
      ),
    ]);
    db = "ok";
  } catch {
    // reported below
  }
  const ok = db === "ok";
  return new Response(
    JSON.stringify({
      status: ok ? "ok" : "unavailable",
      db,
      worker,
      operator_errors: operatorErrors,
    }),
    {
      status: ok ? 200 : 503,
      headers: { "content-type": "application/json", "cache-control": "no-store" },
    },
  );
}
