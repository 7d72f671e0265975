import { HttpError } from "@/lib/http/errors";
import { route } from "@/lib/http/route";
import { processMetrics } from "@/lib/metrics/registry";
import { renderMetrics, scrapeAllowed } from "@/lib/metrics/scrape";

export const dynamic = "force-dynamic";

/**
 * Prometheus metrics of this process (its counters and histograms) and of the
 * queue (gauges read from the database, the same in every process). The
 * service key or ALERTS_METRICS_TOKEN; anything else is 401.
 */
export const GET = route({ access: "public" }, async ({ ctx, req }) => {
  if (!scrapeAllowed(ctx.config, req.headers.get("authorization"))) {
    throw new HttpError(
      "unauthenticated",
      "Metrics need Authorization: Bearer with ALERTS_METRICS_TOKEN (or the service key).",
      { headers: { "www-authenticate": 'Bearer realm="metrics"' } },
    );
  }
  const { contentType, body } = await renderMetrics(processMetrics(), ctx.db, ctx.clock());
  return new Response(body, {
    status: 200,
    headers: { "content-type": contentType, "cache-control": "no-store" },
  });
});
