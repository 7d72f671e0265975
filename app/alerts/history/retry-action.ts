"use server";

import { refresh } from "next/cache";
import { POST as postRetry } from "@/app/api/alerts/history/[id]/retry/route";
import { callApi } from "../../_lib/api";
import { actionSession } from "../../_lib/session";

/** "Retry now" on an alert in history: its failed deliveries go out again, same webhook-id. */
export async function retryAction(form: FormData): Promise<void> {
  const session = await actionSession();
  if (!session) return;
  await callApi(session.token, postRetry, "POST", "/api/alerts/history/{id}/retry", {
    params: { id: String(form.get("id") ?? "") },
  });
  refresh();
}
