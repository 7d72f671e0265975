"use client";

import { useEffect, useRef, useState } from "react";

/**
 * An email's HTML in a sandboxed frame: no scripts, no forms, no same-origin
 * access; only links, which open in a new tab outside the sandbox (so they
 * are ordinary pages, with the session). The frame's document is opaque to
 * this page, so its height is measured on a script-free copy of the same
 * HTML, laid out at the frame's width in a shadow root.
 */
export function MailFrame({ title, html }: { title: string; html: string }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState<number | undefined>(undefined);
  useEffect(() => {
    const el = frame.current;
    if (!el) return;
    const measure = () => setHeight(measureHtml(html, el.clientWidth));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [html]);
  return (
    <iframe
      ref={frame}
      title={title}
      className="mail-frame"
      sandbox="allow-popups allow-popups-to-escape-sandbox"
      srcDoc={withNewTabLinks(html)}
      style={height ? { height: `${height}px` } : undefined}
    />
  );
}

/** Every link opens a new tab: the frame itself stays the preview. */
export function withNewTabLinks(html: string): string {
  const base = '<base target="_blank">';
  return /<head[^>]*>/i.test(html)
    ? html.replace(/<head[^>]*>/i, (m) => `${m}${base}`)
    : `${base}${html}`;
}

function measureHtml(html: string, width: number): number | undefined {
  if (width <= 0) return undefined;
  // DOMParser documents never run scripts; they are dropped anyway.
  const doc = new DOMParser().parseFromString(html, "text/html");
  for (const s of doc.querySelectorAll("script, iframe, object, embed")) s.remove();
  const host = document.createElement("div");
  host.style.cssText = `position:absolute;left:-100000px;top:0;width:${width}px;visibility:hidden;`;
  const root = host.attachShadow({ mode: "open" });
  const styles = [...doc.querySelectorAll("style")].map((s) => s.outerHTML).join("");
  const bodyStyle = doc.body.getAttribute("style") ?? "";
  // The frame's body has the UA's 8px margin unless the email sets its own.
  root.innerHTML = `${styles}<div style="margin:8px;${bodyStyle}">${doc.body.innerHTML}</div>`;
  document.body.appendChild(host);
  const measured = Math.ceil(host.getBoundingClientRect().height) + 16;
  host.remove();
  return Math.max(120, measured);
}
