/**
 * In-process wake-ups: the ingest route calls `wakeInbox()` after it stored an
 * event, and a worker in this process starts processing at once instead of at
 * its next poll. Other processes hear the same through LISTEN/NOTIFY.
 */
const KEY = Symbol.for("training-alerts.inbox-wakers");
type Holder = { [KEY]?: Set<() => void> };

function wakers(): Set<() => void> {
  const holder = globalThis as Holder;
  holder[KEY] ??= new Set();
  return holder[KEY];
}

export function wakeInbox(): void {
  for (const wake of wakers()) wake();
}

export function onWakeInbox(wake: () => void): () => void {
  wakers().add(wake);
  return () => wakers().delete(wake);
}
