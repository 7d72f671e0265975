"use server";

import { refresh } from "next/cache";
import { DELETE, PATCH } from "@/app/api/alerts/webhooks/[id]/route";
import { POST as TEST } from "@/app/api/alerts/webhooks/[id]/test/route";
import { POST } from "@/app/api/alerts/webhooks/route";
import {
  type ApiResult,
  callApi,
  SIGNED_OUT,
  type WebhookJson,
  type WebhookTestJson,
} from "../../../_lib/api";
import { actionSession } from "../../../_lib/session";

/*
 * Each action is one call to the webhooks API with the signed-in user's token;
 * the page re-renders (refresh) after a change so the list shows the new state.
 */

export async function createWebhook(
  body: Record<string, unknown>,
): Promise<ApiResult<WebhookJson>> {
  const session = await actionSession();
  if (!session) return { ok: false, status: 401, problem: SIGNED_OUT };
  const result = await callApi<WebhookJson>(session.token, POST, "POST", "/api/alerts/webhooks", {
    body,
  });
  if (result.ok) refresh();
  return result;
}

export async function updateWebhook(
  id: string,
  patch: Record<string, unknown>,
): Promise<ApiResult<WebhookJson>> {
  const session = await actionSession();
  if (!session) return { ok: false, status: 401, problem: SIGNED_OUT };
  const result = await callApi<WebhookJson>(
    session.token,
    PATCH,
    "PATCH",
    `/api/alerts/webhooks/${encodeURIComponent(id)}`,
    { body: patch, params: { id } },
  );
  if (result.ok) refresh();
  return result;
}

export async function deleteWebhook(id: string): Promise<ApiResult<undefined>> {
  const session = await actionSession();
  if (!session) return { ok: false, status: 401, problem: SIGNED_OUT };
  const result = await callApi<undefined>(
    session.token,
    DELETE,
    "DELETE",
    `/api/alerts/webhooks/${encodeURIComponent(id)}`,
    { params: { id } },
  );
  if (result.ok) refresh();
  return result;
}

export async function testWebhook(id: string): Promise<ApiResult<WebhookTestJson>> {
  const session = await actionSession();
  if (!session) return { ok: false, status: 401, problem: SIGNED_OUT };
  return callApi<WebhookTestJson>(
    session.token,
    TEST,
    "POST",
    `/api/alerts/webhooks/${encodeURIComponent(id)}/test`,
    { params: { id } },
  );
}
