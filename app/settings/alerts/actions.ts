"use server";

import { PUT } from "@/app/api/alerts/preferences/route";
import { type ApiResult, callApi, type PreferencesJson, SIGNED_OUT } from "../../_lib/api";
import { actionSession } from "../../_lib/session";

/** Saves preferences through `PUT /api/alerts/preferences`; answers the API's result. */
export async function savePreferences(
  update: Record<string, unknown>,
): Promise<ApiResult<PreferencesJson>> {
  const session = await actionSession();
  if (!session) return { ok: false, status: 401, problem: SIGNED_OUT };
  const result = await callApi<PreferencesJson>(
    session.token,
    PUT,
    "PUT",
    "/api/alerts/preferences",
    { body: update },
  );
  return result;
}
