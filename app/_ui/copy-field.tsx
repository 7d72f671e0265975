"use client";

import { useId, useRef, useState } from "react";

/**
 * A read-only value with a Copy button (ids, URLs, keys). Without clipboard
 * access (an insecure origin, a denied permission) it selects the text for Ctrl+C.
 */
export function CopyField({
  label,
  value,
  multiline = false,
}: {
  label: string;
  value: string;
  multiline?: boolean;
}) {
  const id = useId();
  const [copied, setCopied] = useState("");
  const field = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("Copied.");
    } catch {
      field.current?.select();
      setCopied("Selected: press Ctrl+C (⌘C) to copy.");
    }
  }
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        {multiline ? (
          <textarea
            id={id}
            ref={field}
            readOnly
            value={value}
            rows={Math.min(12, value.split("\n").length)}
            spellCheck={false}
            className="code-block"
            onFocus={(e) => e.target.select()}
          />
        ) : (
          <input
            id={id}
            ref={field}
            type="text"
            readOnly
            value={value}
            spellCheck={false}
            onFocus={(e) => e.target.select()}
          />
        )}
        <button type="button" onClick={copy} aria-label={`Copy ${label.toLowerCase()}`}>
          Copy
        </button>
      </div>
      <span role="status" className="hint">
        {copied}
      </span>
    </div>
  );
}
