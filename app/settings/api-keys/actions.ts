"use server";

import { refresh } from "next/cache";
import { DELETE } from "@/app/api/alerts/keys/[id]/route";
import { POST } from "@/app/api/alerts/keys/route";
import { type ApiResult, callApi, type KeyCreatedJson, SIGNED_OUT } from "../../_lib/api";
import { actionSession } from "../../_lib/session";

/** Creates a producer key; the answer holds the key, shown once. */
export async function createKey(name: string): Promise<ApiResult<KeyCreatedJson>> {
  const session = await actionSession();
  if (!session) return { ok: false, status: 401, problem: SIGNED_OUT };
  const result = await callApi<KeyCreatedJson>(session.token, POST, "POST", "/api/alerts/keys", {
    body: { name },
  });
  if (result.ok) refresh();
  return result;
}

export async function revokeKey(id: string): Promise<ApiResult<undefined>> {
  const session = await actionSession();
  if (!session) return { ok: false, status: 401, problem: SIGNED_OUT };
  const result = await callApi<undefined>(
    session.token,
    DELETE,
    "DELETE",
    `/api/alerts/keys/${encodeURIComponent(id)}`,
    { params: { id } },
  );
  if (result.ok) refresh();
  return result;
}
