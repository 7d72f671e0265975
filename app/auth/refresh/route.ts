import { redirect } from "next/navigation";
import { getContext } from "@/lib/server/context";
import { refreshSession, safeNext, verifyToken } from "../../_lib/session";

export const dynamic = "force-dynamic";

/**
 * Pages cannot set cookies, so a page that finds an expired Supabase access
 * token sends the browser here: the library trades the refresh token for a
 * new session, stores it, and the browser goes back. Without Supabase
 * sign-in this route does not exist.
 */
export async function GET(req: Request): Promise<Response> {
  const ctx = await getContext();
  if (!ctx.config.webAuth) return new Response("Not found", { status: 404 });
  const next = safeNext(new URL(req.url).searchParams.get("next"));
  const token = await refreshSession(ctx);
  // A new token the API would refuse too would only send the page back here.
  const session = token ? await verifyToken(ctx, token) : undefined;
  redirect(session ? next : `/signin?next=${encodeURIComponent(next)}`);
}
