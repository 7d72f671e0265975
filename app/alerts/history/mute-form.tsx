"use client";

import { useActionState, useId, useState } from "react";
import { type MuteState, muteAction } from "./mute-actions";

export interface MuteTarget {
  /** `scope:value`, e.g. `job:3f2b…`. */
  value: string;
  label: string;
}

/** "Mute [this job ▾] for [8 h ▾]": from an alert in history. */
export function MuteForm({ targets, zone }: { targets: MuteTarget[]; zone: string }) {
  const id = useId();
  const [state, action, pending] = useActionState<MuteState, FormData>(muteAction, {});
  const [duration, setDuration] = useState("8h");
  if (targets.length === 0) return null;
  return (
    <form action={action} className="mute-form row" aria-label="Mute">
      <div className="field">
        <label htmlFor={`${id}-target`}>Mute</label>
        <select id={`${id}-target`} name="target" defaultValue={targets[0]?.value}>
          {targets.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-duration`}>For</label>
        <select
          id={`${id}-duration`}
          name="duration"
          value={duration}
          onChange={(e) => setDuration(e.target.value)}
        >
          <option value="1h">1 hour</option>
          <option value="8h">8 hours</option>
          <option value="24h">24 hours</option>
          <option value="until">until a date…</option>
        </select>
      </div>
      {duration === "until" ? (
        <div className="field">
          <label htmlFor={`${id}-until`}>Until ({zone})</label>
          <input id={`${id}-until`} name="until" type="datetime-local" required />
        </div>
      ) : null}
      <input type="hidden" name="zone" value={zone} />
      <div className="field align-end">
        <button type="submit" disabled={pending}>
          {pending ? "Muting…" : "Mute"}
        </button>
      </div>
      <p role="status" className={state.tone === "bad" ? "test-bad" : "test-ok"}>
        {state.message}
      </p>
    </form>
  );
}
