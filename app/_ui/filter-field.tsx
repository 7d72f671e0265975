import { describedBy, FieldError } from "./field-error";

type Choice = { value: string; label: string };

/**
 * One field of a list page's GET filter form (history, jobs): a label, a select
 * (given `choices`) or a free-text input, and the API's message for that query
 * parameter right after it. The value comes from the URL, so the field is
 * uncontrolled and the form works without JavaScript.
 */
export function FilterField({
  id,
  label,
  name,
  value,
  error,
  grow = false,
  choices,
  any = "Any",
  placeholder,
}: {
  id: string;
  label: string;
  /** The query parameter this field sets. */
  name: string;
  /** The parameter's current value ("" when unset). */
  value: string;
  /** The API's message for this parameter, if it rejected it. */
  error: string | undefined;
  /** Take the row's spare width (long values such as ids). Default false. */
  grow?: boolean;
  /** Makes the field a select of these; without them it is a text input. */
  choices?: readonly Choice[];
  /** A select's first, empty option ("All types"). Default "Any". */
  any?: string;
  /** A text input's example. */
  placeholder?: string;
}) {
  const errorId = `${id}-error`;
  const describes = describedBy(error && errorId);
  return (
    <div className={grow ? "field grow" : "field"}>
      <label htmlFor={id}>{label}</label>
      {choices ? (
        <select id={id} name={name} defaultValue={value} aria-describedby={describes}>
          <option value="">{any}</option>
          {choices.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          name={name}
          type="text"
          spellCheck={false}
          autoComplete="off"
          placeholder={placeholder}
          defaultValue={value}
          aria-invalid={error ? true : undefined}
          aria-describedby={describes}
        />
      )}
      <FieldError id={errorId} message={error} />
    </div>
  );
}
