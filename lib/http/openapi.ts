import { z } from "zod";
import {
  eventAcceptedSchema,
  eventInputSchema,
  historyPageSchema,
  historyQuerySchema,
  inboxPageSchema,
  inboxQuerySchema,
  jobDetailQuerySchema,
  jobDetailSchema,
  jobLogsSchema,
  jobProgressSchema,
  jobPutSchema,
  jobsPageSchema,
  jobsQuerySchema,
  keyCreatedSchema,
  keyCreateSchema,
  keyViewSchema,
  muteCreateSchema,
  muteListSchema,
  muteViewSchema,
  preferencesUpdateSchema,
  preferencesViewSchema,
  webhookCreateSchema,
  webhookPatchSchema,
  webhookTestResultSchema,
  webhookViewSchema,
} from "../alerts";
import type { Access } from "./route";

/** One documented operation; the schemas are the same ones the routes validate with. */
interface Operation {
  method: "get" | "post" | "put" | "patch" | "delete";
  path: string;
  summary: string;
  access: Access;
  body?: z.ZodType;
  query?: z.ZodObject;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /** Problem answers this operation describes in its own words, over the shared ones. */
  problems?: Record<number, string>;
}

const idParam = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string", format: "uuid" },
};

const OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/api/alerts/preferences",
    summary: "The caller's preferences (the seed's defaults are created on first read)",
    access: "user",
    responses: { 200: { description: "Preferences", schema: preferencesViewSchema } },
  },
  {
    method: "put",
    path: "/api/alerts/preferences",
    summary: "Update any subset of the preference fields",
    access: "user",
    body: preferencesUpdateSchema,
    responses: {
      200: { description: "The preferences after the update", schema: preferencesViewSchema },
    },
  },
  {
    method: "get",
    path: "/api/alerts/webhooks",
    summary: "The caller's webhooks (URLs masked, secrets never shown)",
    access: "user",
    responses: {
      200: { description: "Webhooks", schema: z.object({ items: z.array(webhookViewSchema) }) },
    },
  },
  {
    method: "post",
    path: "/api/alerts/webhooks",
    summary:
      'Create a webhook (webhook_type inferred from the URL when omitted); "secret": "generate" returns a new secret once',
    access: "user",
    body: webhookCreateSchema,
    responses: { 201: { description: "Created", schema: webhookViewSchema } },
  },
  {
    method: "get",
    path: "/api/alerts/webhooks/{id}",
    summary: "Read one webhook",
    access: "user",
    responses: { 200: { description: "The webhook", schema: webhookViewSchema } },
  },
  {
    method: "patch",
    path: "/api/alerts/webhooks/{id}",
    summary: "Change some fields of a webhook",
    access: "user",
    body: webhookPatchSchema,
    responses: { 200: { description: "The webhook", schema: webhookViewSchema } },
  },
  {
    method: "put",
    path: "/api/alerts/webhooks/{id}",
    summary: "Replace a webhook (an omitted secret is kept; null removes it)",
    access: "user",
    body: webhookCreateSchema,
    responses: { 200: { description: "The webhook", schema: webhookViewSchema } },
  },
  {
    method: "delete",
    path: "/api/alerts/webhooks/{id}",
    summary: "Delete a webhook",
    access: "user",
    responses: { 204: { description: "Deleted" } },
  },
  {
    method: "post",
    path: "/api/alerts/webhooks/{id}/test",
    summary: "Send a sample alert to the webhook now and report the outcome",
    access: "user",
    responses: {
      200: { description: "What the receiver answered", schema: webhookTestResultSchema },
    },
  },
  {
    method: "post",
    path: "/api/alerts/events",
    summary:
      "Report an event (producers). Stored before the 202; a repeated event_id or Idempotency-Key is a duplicate",
    access: "service",
    body: eventInputSchema,
    responses: {
      202: {
        description:
          "Accepted and stored; outcome_hint says when it is already known to alert no one",
        schema: eventAcceptedSchema,
      },
    },
    problems: {
      422: "Validation failed; errors[] names each field. code unknown_user: user_id is not a user of this project (Supabase); create the user in Supabase Auth or send an existing user's id. Nothing is stored",
    },
  },
  {
    method: "put",
    path: "/api/training/jobs/{id}",
    summary:
      'Create (201; user_id required with the service key) or update (200) a training job; illegal status changes are 409. loss may be "nan", "inf" or "-inf" (raises loss_diverged, once per job)',
    access: "service",
    body: jobPutSchema,
    responses: { 200: { description: "The job" }, 201: { description: "Created" } },
  },
  {
    method: "post",
    path: "/api/training/jobs/{id}/progress",
    summary:
      'Record progress of a running job (re-arms the stall watch); loss may be "nan", "inf" or "-inf" (raises loss_diverged, once per job)',
    access: "service",
    body: jobProgressSchema,
    responses: { 200: { description: "The job" } },
  },
  {
    method: "post",
    path: "/api/training/jobs/{id}/logs",
    summary: "Scan log lines for an out-of-memory report; the first raises gpu_oom (once per job)",
    access: "service",
    body: jobLogsSchema,
    responses: { 200: { description: "{ oom, signature?, event_id?, duplicate? }" } },
  },
  {
    method: "get",
    path: "/api/alerts/history",
    summary: "The caller's alerts, newest first, with their deliveries",
    access: "user",
    query: historyQuerySchema,
    responses: { 200: { description: "A page of history", schema: historyPageSchema } },
  },
  {
    method: "get",
    path: "/api/alerts/events",
    summary:
      "The caller's recent inbox events, newest first, each with its outcome and a sentence saying why",
    access: "user",
    query: inboxQuerySchema,
    responses: { 200: { description: "A page of events", schema: inboxPageSchema } },
  },
  {
    method: "post",
    path: "/api/alerts/history/{id}/retry",
    summary:
      "Re-send the alert's failed deliveries now, with the same webhook-id; 409 when nothing failed",
    access: "user",
    responses: { 202: { description: "{ alert_id, retried }" } },
  },
  {
    method: "get",
    path: "/api/alerts/mutes",
    summary: "The caller's mutes in force (a job, a group label or an alert type, until a time)",
    access: "user",
    responses: { 200: { description: "{ items }", schema: muteListSchema } },
  },
  {
    method: "post",
    path: "/api/alerts/mutes",
    summary:
      "Mute a job, a group label or an alert type for 1h/8h/24h or until a time: its alerts are recorded as muted, not sent",
    access: "user",
    body: muteCreateSchema,
    responses: { 201: { description: "The mute", schema: muteViewSchema } },
  },
  {
    method: "delete",
    path: "/api/alerts/mutes/{id}",
    summary: "Unmute (204); alerts muted meanwhile are not replayed",
    access: "user",
    responses: { 204: { description: "Unmuted" } },
  },
  {
    method: "get",
    path: "/api/training/jobs",
    summary: "The caller's training jobs, newest first, each with its last alert",
    access: "user",
    query: jobsQuerySchema,
    responses: { 200: { description: "A page of jobs", schema: jobsPageSchema } },
  },
  {
    method: "get",
    path: "/api/training/jobs/{id}",
    summary: "One of the caller's jobs with its progress points, events and alerts",
    access: "user",
    query: jobDetailQuerySchema,
    responses: { 200: { description: "The job", schema: jobDetailSchema } },
  },
  {
    method: "get",
    path: "/api/alerts/keys",
    summary: "The caller's producer keys (never the keys themselves)",
    access: "user",
    responses: {
      200: { description: "Producer keys", schema: z.object({ items: z.array(keyViewSchema) }) },
    },
  },
  {
    method: "post",
    path: "/api/alerts/keys",
    summary:
      "Create a producer key (tak_…, at most 20 per user); the key is in this answer only, stored hashed",
    access: "user",
    body: keyCreateSchema,
    responses: { 201: { description: "Created", schema: keyCreatedSchema } },
  },
  {
    method: "delete",
    path: "/api/alerts/keys/{id}",
    summary: "Revoke a producer key; its next request is 401",
    access: "user",
    responses: { 204: { description: "Revoked" } },
  },
  {
    method: "get",
    path: "/api/health",
    summary: "Database reachability and worker state",
    access: "public",
    responses: {
      200: { description: "Healthy" },
      503: { description: "The database is not reachable" },
    },
  },
  {
    method: "get",
    path: "/api/metrics",
    summary:
      "Prometheus metrics (text): this process's counters, the queue's gauges; the service key or ALERTS_METRICS_TOKEN",
    access: "service",
    responses: { 200: { description: "Prometheus text format 0.0.4" } },
  },
];

const problemSchema = {
  type: "object",
  required: ["type", "title", "status", "detail"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    code: { type: "string" },
    errors: {
      type: "array",
      items: {
        type: "object",
        required: ["path", "message"],
        properties: { path: { type: "string" }, message: { type: "string" } },
      },
    },
  },
};

const jsonSchema = (schema: z.ZodType, io: "input" | "output") => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" });
  return rest;
};

/** The OpenAPI 3.1 document, generated from the schemas the routes validate with. */
export function buildOpenApiDocument(serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const problems = {
      400: "Malformed JSON, or nested more than 64 levels deep",
      401: "Missing or invalid token",
      403: "Wrong kind of credential",
      404: "Not found (or another user's)",
      413: "Body over 64 KiB",
      422: "Validation failed; errors[] names each field",
      429: "Too many requests for this user or the service key; wait Retry-After seconds",
      ...op.problems,
    };
    const parameters = [
      ...(op.path.includes("{id}") ? [idParam] : []),
      ...(op.path === "/api/alerts/events" && op.method === "post"
        ? [
            {
              name: "Idempotency-Key",
              in: "header",
              required: false,
              schema: { type: "string", maxLength: 255 },
            },
          ]
        : []),
      ...Object.entries(op.query?.shape ?? {}).map(([name, schema]) => ({
        name,
        in: "query",
        required: false,
        schema: jsonSchema(schema as z.ZodType, "input"),
      })),
    ];
    paths[op.path] ??= {};
    (paths[op.path] as Record<string, unknown>)[op.method] = {
      summary: op.summary,
      security:
        op.access === "public"
          ? []
          : op.access === "user"
            ? [{ userToken: [] }]
            : [{ serviceKey: [] }, { producerKey: [] }],
      ...(parameters.length ? { parameters } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: jsonSchema(op.body, "input") } },
            },
          }
        : {}),
      responses: {
        ...Object.fromEntries(
          Object.entries(op.responses).map(([status, r]) => [
            status,
            {
              description: r.description,
              ...(r.schema
                ? { content: { "application/json": { schema: jsonSchema(r.schema, "output") } } }
                : {}),
            },
          ]),
        ),
        ...(op.access === "public"
          ? {}
          : Object.fromEntries(
              Object.entries(problems).map(([status, description]) => [
                status,
                {
                  description,
                  content: {
                    "application/problem+json": {
                      schema: { $ref: "#/components/schemas/Problem" },
                    },
                  },
                },
              ]),
            )),
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Training Alerts API",
      version: "0.1.0",
      description: "Alerts for ML training jobs: preferences, webhooks, history and event ingest.",
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        userToken: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "Supabase access token",
        },
        serviceKey: {
          type: "http",
          scheme: "bearer",
          description: "ALERTS_SERVICE_KEY, for producers",
        },
        producerKey: {
          type: "http",
          scheme: "bearer",
          description:
            "A user's producer key (tak_…, POST /api/alerts/keys): acts as its owner only; user_id may be omitted, another user's id is 403, another user's job 404",
        },
      },
      schemas: { Problem: problemSchema },
    },
    paths,
  };
}
