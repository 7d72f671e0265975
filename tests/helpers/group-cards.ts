import type { GroupCard, GroupMemberCard } from "@/lib/alerts/grouping/group-card";
import { APP_URL, hostileName, hugeTraceback, INJECTION } from "./alert-cards";

/** Group cards (a batch and its members) for the group formatters' tests. */

export const WINDOW_START = new Date("2026-03-02T12:00:00Z");
export const BATCH_ID = "5a0c7e2b-1d3f-4b6a-9c8e-7f6d5c4b3a21";

/** A job id that sorts with its index. */
export const jobIdOf = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;

/** Member i: created i × 10 ms after the window opened, so higher i is newer. */
export function member(i: number, data: Record<string, unknown> = {}): GroupMemberCard {
  return {
    id: `10000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    jobId: jobIdOf(i),
    title: `❌ Training failed: run-${i}`,
    message: `run-${i} failed.`,
    data: {
      model_name: `mistral-7b-lr-${i}`,
      error: `Traceback (most recent call last):\n  File "train.py", line 1\nRuntimeError: NCCL error on rank ${i}`,
      ...data,
    },
    createdAt: new Date(WINDOW_START.getTime() + i * 10),
  };
}

export function groupOf(
  n: number,
  overrides: Partial<GroupCard> = {},
  data?: (i: number) => object,
) {
  const members = Array.from({ length: n }, (_, i) => member(i, data?.(i) as never));
  return {
    id: BATCH_ID,
    type: "job_failed",
    label: "lr-search",
    members,
    total: n,
    windowStart: WINDOW_START,
    windowEnd: new Date(WINDOW_START.getTime() + 60_000),
    appUrl: APP_URL,
    ...overrides,
  } satisfies GroupCard;
}

/** Hostile names and 50 KB tracebacks on every member. */
export const hostile = (i: number) => ({
  model_name: `${hostileName(300)} ${i}`,
  error: `${INJECTION}\n${hugeTraceback()}`,
});

export const historyUrl = `${APP_URL}/alerts/history?group=lr-search&alert_type=job_failed`;
