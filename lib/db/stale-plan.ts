/**
 * PostgreSQL's answer when a prepared statement's result columns changed
 * under it: a `select *` or `returning *` prepared before a migration added
 * a column. The statement must be prepared again; both Db kinds do so.
 */
export function isStalePlan(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error as { code?: unknown }).code === "0A000" &&
    error.message.includes("cached plan must not change result type")
  );
}
