// Node's socket errors and PostgreSQL's SQLSTATEs that mean the server went
// away or is not taking connections (shutting down, starting up, restarting):
// class 08 (connection exception) and 57P01–57P03 (operator intervention).
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
]);

// What pg says, without a code, when a connection ends or cannot be opened in time.
const CONNECTION_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|is not queryable/i;

/**
 * Whether `error` says the database could not be reached or the connection
 * was lost — a transient state that a retry after the server is back may get
 * past — rather than something wrong with the statement.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // Connecting to a name with several addresses fails with all their errors.
  if (error instanceof AggregateError && error.errors.some(isConnectionError)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
  return CONNECTION_MESSAGES.test(error.message);
}

/**
 * Deadlock, serialization failure, lock timeout: the statement lost to another
 * transaction, and running it again as it is may succeed.
 */
export function isLostRace(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === "40P01" || code === "40001" || code === "55P03";
}
