import { getContext } from "@/lib/server/context";
import { MAX_BODY_BYTES, receive } from "@/lib/web/dev-receiver";

export const dynamic = "force-dynamic";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Local mode's test receiver: records whatever is POSTed here for the inbox's
 * owner to look at on `/dev/receiver`, and answers with the status they chose.
 * No sign-in (a webhook sender has none); outside local mode it does not exist.
 */
export async function POST(
  req: Request,
  { params }: { params: Promise<{ inbox: string }> },
): Promise<Response> {
  const ctx = await getContext();
  const { inbox } = await params;
  const id = inbox.toLowerCase();
  if (!ctx.config.localMode || !UUID.test(id)) {
    return new Response("Not found\n", { status: 404 });
  }
  const bytes = Buffer.from(await req.arrayBuffer());
  const body = bytes.subarray(0, MAX_BODY_BYTES).toString("utf8");
  const headers: Record<string, string> = {};
  req.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  const received = receive(id, { at: ctx.clock(), method: req.method, headers, body });
  return Response.json(
    { ok: received.status < 300, received: received.seq },
    { status: received.status },
  );
}
