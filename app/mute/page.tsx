import type { Metadata } from "next";
import { verifyMuteToken } from "@/lib/alerts";
import { getContext } from "@/lib/server/context";
import { typeLabel } from "../_ui/labels";
import { muteFromLink } from "./actions";

// Rendered per request: it reads the link and the mute's current state.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Mute · Training Alerts", robots: "noindex" };

type SearchParams = Record<string, string | string[] | undefined>;

/**
 * Where an alert's "Mute this job for 8 h" link lands. No sign-in: the link
 * is signed. It takes one press of a button, not the page load, so that mail
 * scanners which open every link cannot mute anything.
 */
export default async function MutePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const token = typeof params.t === "string" ? params.t : "";
  const done = params.done === "1";
  const ctx = await getContext();
  const check = verifyMuteToken(
    token,
    ctx.config.encryptionKeys.map((k) => k.key),
    ctx.clock(),
  );
  if (!check.ok) {
    return (
      <main id="main" className="narrow">
        <h1>This mute link does not work</h1>
        <p className="banner banner-error" role="alert">
          {check.reason === "expired"
            ? "The link has expired (alert links work for 7 days)."
            : "The link is not valid: it was changed, cut short, or comes from another server."}{" "}
          Sign in and mute from <a href="/alerts/history">History</a> instead.
        </p>
      </main>
    );
  }
  const { grant } = check;
  let what = `${grant.scope} ${grant.value}`;
  if (grant.scope === "job") {
    // The job's name: from the jobs table, else from its latest alert.
    const { rows } = await ctx.db.query<{ model_name: string | null }>(
      `select coalesce(
         (select model_name from training_jobs where id = $1::uuid and user_id = $2),
         (select data->>'model_name' from alert_history where job_id = $1::uuid and user_id = $2
          order by created_at desc limit 1)) as model_name`,
      [grant.value, grant.userId],
    );
    what = `the job ${rows[0]?.model_name ? `“${rows[0].model_name}” ` : ""}(${grant.value})`;
  } else if (grant.scope === "type") {
    what = `every “${typeLabel(grant.value)}” alert`;
  } else {
    what = `the group “${grant.value}”`;
  }
  const { rows: current } = await ctx.db.query<{ muted_until: Date }>(
    "select muted_until from alert_mutes where user_id = $1 and scope = $2 and value = $3 and muted_until > $4",
    [grant.userId, grant.scope, grant.value, ctx.clock()],
  );
  const until = current[0]?.muted_until;
  return (
    <main id="main" className="narrow">
      <h1>Mute alerts</h1>
      {done && until ? (
        <p className="banner banner-ok" role="status" data-testid="muted">
          Muted {what} until <time dateTime={until.toISOString()}>{until.toUTCString()}</time>.
          Alerts for it are kept in history as “muted” and not sent. To undo, sign in and open{" "}
          <a href="/alerts/history">History</a>.
        </p>
      ) : (
        <form action={muteFromLink} className="card stack">
          <p>
            Mute {what} for {grant.hours} hours? Its alerts are still recorded in your history,
            marked “muted”, but not sent anywhere.
            {until ? ` It is already muted until ${until.toUTCString()}.` : ""}
          </p>
          <input type="hidden" name="t" value={token} />
          <div className="actions">
            <button type="submit" className="primary">
              Mute for {grant.hours} hours
            </button>
          </div>
          <p className="hint">Undoing a mute needs a sign-in: History lists your mutes.</p>
        </form>
      )}
    </main>
  );
}
