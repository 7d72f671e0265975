/**
 * What this process's delivery worker is doing, for `/api/health`.
 * `not_started` until the queue starts one; `off` when `ALERTS_WORKER=off`.
 */
export type WorkerState = "not_started" | "starting" | "running" | "stopping" | "stopped" | "off";

const KEY = Symbol.for("training-alerts.worker-state");
type Holder = { [KEY]?: WorkerState };

export function setWorkerState(state: WorkerState): void {
  (globalThis as Holder)[KEY] = state;
}

export function getWorkerState(mode: "inline" | "off"): WorkerState {
  if (mode === "off") return "off";
  return (globalThis as Holder)[KEY] ?? "not_started";
}
