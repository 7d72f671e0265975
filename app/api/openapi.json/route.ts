import { buildOpenApiDocument } from "@/lib/http/openapi";
import { json, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/** The OpenAPI 3.1 description of this API. */
export const GET = route({ access: "public" }, async ({ ctx }) =>
  json(buildOpenApiDocument(ctx.config.appUrl)),
);
