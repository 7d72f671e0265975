import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as health } from "@/app/api/health/route";
import { GET as openapi } from "@/app/api/openapi.json/route";
import { createPgDb } from "@/lib/db/pg";
import { setContext } from "@/lib/server/context";
import { call, startTestApp, type TestApp } from "./helpers/app";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe("health", () => {
  it("reports the database reachable and the worker state", async () => {
    const res = await call(health, "GET", "/api/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: "ok",
      db: "ok",
      worker: "not_started",
      operator_errors: 0,
    });
  });

  it("answers 503 while the database cannot be reached", async () => {
    // A real pool aimed at a port where nothing listens.
    const unreachable = createPgDb({ connectionString: "postgres://postgres@127.0.0.1:1/none" });
    setContext({ ...app.ctx, db: unreachable });
    try {
      const res = await call(health, "GET", "/api/health");
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ status: "unavailable", db: "unreachable" });
    } finally {
      setContext(app.ctx);
      await unreachable.close();
    }
  });

  it("reports the worker as off when ALERTS_WORKER=off", async () => {
    setContext({ ...app.ctx, config: { ...app.ctx.config, worker: "off" } });
    try {
      expect((await call(health, "GET", "/api/health")).body.worker).toBe("off");
    } finally {
      setContext(app.ctx);
    }
  });
});

describe("OpenAPI document", () => {
  it("describes every user route with the schemas the routes validate with", async () => {
    const res = await call(openapi, "GET", "/api/openapi.json");
    expect(res.status).toBe(200);
    const doc = res.body as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: {
              content: Record<
                string,
                { schema: { properties: object; additionalProperties?: boolean } }
              >;
            };
          }
        >
      >;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/alerts/preferences",
        "/api/alerts/webhooks",
        "/api/alerts/webhooks/{id}",
        "/api/alerts/history",
        "/api/health",
      ]),
    );
    const put =
      doc.paths["/api/alerts/preferences"]?.put?.requestBody?.content["application/json"]?.schema;
    expect(Object.keys(put?.properties ?? {})).toContain("quiet_hours_start");
    expect(put?.additionalProperties).toBe(false);
    const create =
      doc.paths["/api/alerts/webhooks"]?.post?.requestBody?.content["application/json"]?.schema;
    expect(Object.keys(create?.properties ?? {})).toEqual(
      expect.arrayContaining(["name", "url", "webhook_type", "secret"]),
    );
    // Ingest documents its hint and its refusal of an unknown user.
    const ingest = (
      doc.paths["/api/alerts/events"] as unknown as Record<
        string,
        {
          responses: Record<
            string,
            {
              description: string;
              content: Record<string, { schema: { properties: Record<string, unknown> } }>;
            }
          >;
        }
      >
    ).post?.responses;
    expect(
      ingest?.["202"]?.content["application/json"]?.schema.properties.outcome_hint,
    ).toMatchObject({ enum: ["below_threshold"], description: expect.any(String) });
    expect(ingest?.["422"]?.description).toMatch(/unknown_user/);
  });
});
