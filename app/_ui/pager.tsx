/** `path` with the non-empty `values` as its query string: a list page's own address. */
export function pageUrl(path: string, values: Record<string, string>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/**
 * The "← Newest / Older … →" links under a keyset-paged list; nothing when
 * there is a single page. `filters` are kept on both links.
 */
export function Pager({
  path,
  filters = {},
  cursor,
  nextCursor,
  olderLabel,
}: {
  path: string;
  filters?: Record<string, string>;
  cursor: string;
  nextCursor: string | null;
  /** "Older jobs →" */
  olderLabel: string;
}) {
  if (!cursor && !nextCursor) return null;
  return (
    <nav className="pager" aria-label="Pages">
      {cursor ? <a href={pageUrl(path, filters)}>← Newest</a> : <span />}
      {nextCursor ? (
        <a href={pageUrl(path, { ...filters, cursor: nextCursor })}>{olderLabel}</a>
      ) : null}
    </nav>
  );
}
