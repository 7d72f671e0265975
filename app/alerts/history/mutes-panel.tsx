import { GET as getMutes } from "@/app/api/alerts/mutes/route";
import { callApi } from "../../_lib/api";
import { formatWhen } from "../../_ui/format";
import { typeLabel } from "../../_ui/labels";
import { unmuteAction } from "./mute-actions";

interface MuteJson {
  id: string;
  scope: "job" | "group" | "type";
  value: string;
  muted_until: string;
  created_via: "web" | "link";
}

const describe = (m: MuteJson) =>
  m.scope === "job"
    ? `Job ${m.value}`
    : m.scope === "group"
      ? `Group “${m.value}”`
      : `Every “${typeLabel(m.value)}” alert`;

/** The user's mutes in force, each with an Unmute button (signed in: the undo of a mute link). */
export async function MutesPanel({ token, zone }: { token: string; zone: string }) {
  const res = await callApi<{ items: MuteJson[] }>(token, getMutes, "GET", "/api/alerts/mutes");
  const items = res.ok ? res.data.items : [];
  if (items.length === 0) return null;
  return (
    <section className="card stack mutes" aria-labelledby="mutes-heading">
      <h2 id="mutes-heading" className="h3">
        Muted now
      </h2>
      <p className="hint">
        Matching alerts are recorded below as “Muted” and not sent. Unmuting does not send them
        afterwards.
      </p>
      <ul className="mute-list">
        {items.map((m) => (
          <li key={m.id} className="row">
            <span>
              <strong>{describe(m)}</strong> until{" "}
              <time dateTime={m.muted_until}>{formatWhen(m.muted_until, zone)}</time>
              {m.created_via === "link" ? " (from an alert's link)" : ""}
            </span>
            <form action={unmuteAction}>
              <input type="hidden" name="id" value={m.id} />
              <button type="submit" className="link-button">
                Unmute
              </button>
            </form>
          </li>
        ))}
      </ul>
    </section>
  );
}
