import type { ProblemView } from "../_lib/api";

/** A problem the page could not attribute to one field. */
export function ProblemBanner({ problem }: { problem: ProblemView | undefined }) {
  if (!problem) return null;
  return (
    <div className="banner banner-error" role="alert">
      <strong>{problem.title}.</strong> {problem.detail}
      {problem.status === 401 ? (
        <>
          {" "}
          <a href="/signin">Sign in again</a>
        </>
      ) : null}
    </div>
  );
}

/** Field errors by their path; errors the form has no field for are left in `rest`. */
export function splitErrors(
  problem: ProblemView | undefined,
  fields: readonly string[],
): { byField: Record<string, string>; rest: ProblemView | undefined } {
  if (!problem) return { byField: {}, rest: undefined };
  const byField: Record<string, string> = {};
  const unplaced: ProblemView["errors"] = [];
  for (const e of problem.errors) {
    if (fields.includes(e.path) && !byField[e.path]) byField[e.path] = e.message;
    else unplaced.push(e);
  }
  const placedAll = problem.errors.length > 0 && unplaced.length === 0;
  return {
    byField,
    rest: placedAll
      ? undefined
      : {
          ...problem,
          errors: unplaced,
          detail:
            unplaced.length > 0
              ? unplaced.map((e) => `${e.path}: ${e.message}`).join("; ")
              : problem.detail,
        },
  };
}
