/** A field's error message, placed right after the field and linked by `aria-describedby`. */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className="field-error">
      {message}
    </p>
  );
}

/** `aria-describedby` for a field: its hint and/or error ids, when present. */
export function describedBy(...ids: (string | false | undefined | null)[]): string | undefined {
  const present = ids.filter(Boolean);
  return present.length > 0 ? present.join(" ") : undefined;
}
