"use client";

import { type FormEvent, useEffect, useId, useRef, useState, useTransition } from "react";
import type { KeyJson, ProblemView } from "../../_lib/api";
import { ProblemBanner } from "../../_ui/problem-banner";
import { createKey, revokeKey } from "./actions";

export interface KeyItem extends KeyJson {
  createdText: string;
  lastUsedText: string;
}

/** The user's producer keys: create (the key shown once), list, revoke. */
export function KeysPanel({ items, max }: { items: KeyItem[]; max: number }) {
  const id = useId();
  const [name, setName] = useState("");
  const [problem, setProblem] = useState<ProblemView | undefined>();
  // Not `key`: React keeps that prop for itself and would never pass it on.
  const [revealed, setRevealed] = useState<{ name: string; value: string } | undefined>();
  const [notice, setNotice] = useState("");
  const [pending, startTransition] = useTransition();
  const atLimit = items.length >= max;

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setNotice("");
    startTransition(async () => {
      const result = await createKey(name);
      if (result.ok) {
        setProblem(undefined);
        setName("");
        setRevealed({ name: result.data.name, value: result.data.key });
      } else {
        setProblem(result.problem);
      }
    });
  }

  function onRevoke(item: KeyItem) {
    if (!window.confirm(`Revoke “${item.name}”? Training servers using it stop reporting.`)) return;
    startTransition(async () => {
      const result = await revokeKey(item.id);
      if (result.ok) setNotice(`Revoked “${item.name}”.`);
      else setProblem(result.problem);
    });
  }

  return (
    <div className="stack" aria-busy={pending}>
      {revealed ? <KeyReveal {...revealed} onDone={() => setRevealed(undefined)} /> : null}
      <ProblemBanner problem={problem} />
      <form className="card stack" onSubmit={onCreate} noValidate>
        <div className="field">
          <label htmlFor={`${id}-name`}>New key's name</label>
          <input
            id={`${id}-name`}
            value={name}
            maxLength={100}
            placeholder="gpu-box-1"
            onChange={(e) => setName(e.target.value)}
            aria-describedby={`${id}-name-hint`}
          />
          <p id={`${id}-name-hint`} className="hint">
            Where the key will be used, so you know which to revoke. At most {max} keys.
          </p>
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={atLimit || pending}>
            Create key
          </button>
          <span role="status" className="status-text">
            {notice}
          </span>
        </div>
      </form>
      {items.length === 0 ? (
        <div className="empty card">
          <p>
            <strong>No API keys yet.</strong> Create one for each training server or cluster.
          </p>
        </div>
      ) : (
        <div className="table-scroll card">
          <table className="table">
            <caption className="visually-hidden">Your API keys</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id}>
                  <td>{item.name}</td>
                  <td>
                    <code>{item.prefix}…</code>
                  </td>
                  <td>{item.createdText}</td>
                  <td>{item.lastUsedText}</td>
                  <td>
                    <button type="button" className="danger" onClick={() => onRevoke(item)}>
                      Revoke<span className="visually-hidden"> {item.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function KeyReveal({ name, value, onDone }: { name: string; value: string; onDone: () => void }) {
  const [copied, setCopied] = useState("");
  const input = useRef<HTMLInputElement>(null);
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    panel.current?.focus();
  }, []);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("Copied to the clipboard.");
    } catch {
      input.current?.select();
      setCopied("Selected: press Ctrl+C (⌘C) to copy.");
    }
  }
  return (
    <section ref={panel} tabIndex={-1} className="card secret-reveal" aria-labelledby="key-title">
      <h2 id="key-title" className="h3">
        API key “{name}”
      </h2>
      <p>
        Copy it now and set it as <code>ALERTS_API_KEY</code> on the training server; it is{" "}
        <strong>shown only this once</strong> (only its hash is stored).
      </p>
      <div className="copy-row">
        <label htmlFor="revealed-key" className="visually-hidden">
          API key
        </label>
        <input id="revealed-key" ref={input} readOnly value={value} spellCheck={false} />
        <button type="button" onClick={copy}>
          Copy
        </button>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
      <p role="status" className="status-text">
        {copied}
      </p>
    </section>
  );
}
