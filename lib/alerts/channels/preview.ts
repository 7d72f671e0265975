/** A payload as the history page's preview shows it: indented JSON, or a note when the kind sends nothing for the alert. */
export const previewJson = (payload: unknown): string =>
  JSON.stringify(payload ?? "(nothing is sent for this type)", null, 2);
