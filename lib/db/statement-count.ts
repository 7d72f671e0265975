/**
 * How many statements this process sent to its database, and how many of
 * them write (insert, update, delete; `begin`/`commit` are not counted).
 * Read by the bench (bench/mem-probe.cjs) to print statements per delivery;
 * two increments per statement are all it costs.
 */
export interface StatementCount {
  all: number;
  writes: number;
}

const KEY = Symbol.for("training-alerts.statements");
type Holder = { [KEY]?: StatementCount };

export function statementCount(): StatementCount {
  const holder = globalThis as Holder;
  holder[KEY] ??= { all: 0, writes: 0 };
  return holder[KEY];
}

const TRANSACTION_CONTROL = /^\s*(begin|commit|rollback|savepoint|release)\b/i;
const WRITES = /\b(insert\s+into|update\s+[\w."]+\s+(\w+\s+)?set|delete\s+from)\b/i;

export function countStatement(text: string): void {
  if (TRANSACTION_CONTROL.test(text)) return;
  const count = statementCount();
  count.all++;
  if (WRITES.test(text)) count.writes++;
}
