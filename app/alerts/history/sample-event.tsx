"use client";

import { startTransition, useActionState, useState } from "react";
import { EVENT_TYPES } from "@/lib/alerts/client";
import { EVENT_LABELS } from "../../_ui/labels";
import { type SampleState, sendSampleEvent } from "./actions";

/** Local mode's "send a sample event": the whole alert flow in one click. */
export function SampleEventForm() {
  const [state, action, pending] = useActionState<SampleState, FormData>(sendSampleEvent, {});
  const [type, setType] = useState<string>("job_failed");
  return (
    <form
      className="card sample-event"
      aria-busy={pending}
      // Submitted by hand, not through `action=`: React resets a form after its
      // action, which would put the menu back to its first type.
      onSubmit={(e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        startTransition(() => action(data));
      }}
    >
      <h2 className="h3">Try it: send a sample event</h2>
      <p className="hint">
        Posts an event for you to <code>/api/alerts/events</code> with the local service key, as a
        training server would. The alert appears below and its email in the{" "}
        <a href="/dev/outbox">outbox</a>.
      </p>
      <div className="row">
        <div className="field">
          <label htmlFor="sample-type">Event type</label>
          <select
            id="sample-type"
            name="type"
            value={type}
            onChange={(e) => setType(e.target.value)}
          >
            {EVENT_TYPES.map((t) => (
              <option key={t} value={t}>
                {EVENT_LABELS[t].label}
              </option>
            ))}
          </select>
        </div>
        <div className="field align-end">
          <button type="submit" className="primary" disabled={pending}>
            {pending ? "Sending…" : "Send a sample event"}
          </button>
        </div>
      </div>
      <p role="status" className={state.tone === "bad" ? "test-bad" : "test-ok"}>
        {state.message}
      </p>
    </form>
  );
}
