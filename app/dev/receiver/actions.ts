"use server";

import { refresh } from "next/cache";
import { getContext } from "@/lib/server/context";
import { clearInbox, REPLY_STATUSES, setReplyStatus } from "@/lib/web/dev-receiver";
import { actionSession } from "../../_lib/session";

/** Local mode only: the status the signed-in user's receiver answers with. */
export async function chooseReplyStatus(form: FormData): Promise<void> {
  const ctx = await getContext();
  const session = await actionSession();
  if (!ctx.config.localMode || !session) return;
  const status = Number(form.get("status"));
  if ((REPLY_STATUSES as readonly number[]).includes(status)) {
    setReplyStatus(session.userId, status);
  }
  refresh();
}

/** Local mode only: forgets what the signed-in user's receiver got. */
export async function clearReceiver(): Promise<void> {
  const ctx = await getContext();
  const session = await actionSession();
  if (!ctx.config.localMode || !session) return;
  clearInbox(session.userId);
  refresh();
}
