import { redirect } from "next/navigation";
import { getContext } from "@/lib/server/context";
import { exchangeCode, SupabaseAuthError } from "@/lib/web/supabase-auth";
import { safeNext, webAuthClient } from "../../_lib/session";

export const dynamic = "force-dynamic";

/**
 * Where a magic link or an OAuth round trip comes back to, with a PKCE code
 * (or Supabase's error). The library trades the code and this browser's code
 * verifier cookie for a session and stores it in the session cookies. Without
 * Supabase sign-in this route does not exist.
 */
export async function GET(req: Request): Promise<Response> {
  const ctx = await getContext();
  const client = await webAuthClient(ctx);
  if (!client) return new Response("Not found", { status: 404 });
  const params = new URL(req.url).searchParams;
  const next = safeNext(params.get("next"));
  const back = (message: string) =>
    redirect(`/signin?next=${encodeURIComponent(next)}&error=${encodeURIComponent(message)}`);
  const code = params.get("code");
  if (!code) {
    return back(
      params.get("error_description") ??
        "The sign-in link carried no code. Ask for a new link and open it in this browser.",
    );
  }
  try {
    await exchangeCode(client, code);
  } catch (error) {
    if (!(error instanceof SupabaseAuthError)) throw error;
    ctx.log.info({ err: error }, "a Supabase sign-in code was refused");
    return back(`${error.message} Ask for a new link, or sign in again, in this browser.`);
  }
  redirect(next);
}
