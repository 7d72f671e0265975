import { describe, expect, it } from "vitest";
import { renderTemplate } from "../templates/index";
import { SAMPLE_DATA } from "../templates/samples";
import { groupKey, groupLabelOf } from "./group-key";
import { type SweepJob, summarizeSweep, sweepFinished } from "./sweep-summary";

describe("groupLabelOf", () => {
  it("takes the event's data.group first, then the job's metadata.group", () => {
    expect(groupLabelOf({ group: "lr-search" }, { group: "other" })).toBe("lr-search");
    expect(groupLabelOf({}, { group: "cluster-a" })).toBe("cluster-a");
    expect(groupLabelOf({ group: "  " }, { group: "cluster-a" })).toBe("cluster-a");
  });

  it("has no label for missing, empty or non-string values", () => {
    expect(groupLabelOf({}, {})).toBeNull();
    expect(groupLabelOf({ group: 42 }, null)).toBeNull();
    expect(groupLabelOf(undefined, { group: ["a"] })).toBeNull();
  });

  it("keeps a label on one line and at most 200 characters", () => {
    expect(groupLabelOf({ group: "sweep\n  one" })).toBe("sweep one");
    expect(groupLabelOf({ group: "x".repeat(5000) })).toHaveLength(200);
  });
});

describe("groupKey", () => {
  it("separates destinations, types and labels, whatever a label holds", () => {
    const keys = new Set([
      groupKey({ channel: "email" }, "job_failed", null),
      groupKey({ channel: "email" }, "job_failed", "a"),
      groupKey({ channel: "email" }, "job_completed", "a"),
      groupKey({ channel: "webhook", webhookId: "w1" }, "job_failed", "a"),
      groupKey({ channel: "webhook", webhookId: "w2" }, "job_failed", "a"),
      groupKey({ channel: "email" }, "job_failed", '","job_failed'),
    ]);
    expect(keys.size).toBe(6);
    expect(groupKey({ channel: "email" }, "job_failed", "a")).toBe(
      groupKey({ channel: "email" }, "job_failed", "a"),
    );
  });
});

const T0 = Date.parse("2026-03-02T10:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

/** 20 jobs: 15 completed (losses 0.50 … 0.36), 5 failed (4 OOM of different sizes, 1 NCCL). */
function sweep(): SweepJob[] {
  const jobs: SweepJob[] = [];
  for (let i = 0; i < 20; i++) {
    const failed = i >= 15;
    jobs.push({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      model_name: `mistral-7b-lr-${i}`,
      status: failed ? "failed" : "completed",
      loss: failed ? 9.9 : 0.5 - i * 0.01,
      error: failed
        ? i === 19
          ? "RuntimeError: NCCL error in: ProcessGroupNCCL.cpp:1191"
          : `Traceback (most recent call last):\n  File "t.py"\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate ${i}.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.19 GiB is free.`
        : null,
      gpu_count: 2,
      started_at: at(i),
      finished_at: at(i + 30),
      created_at: at(i),
    });
  }
  return jobs;
}

describe("summarizeSweep", () => {
  it("counts outcomes, names the most common failure, the best loss and its job, and GPU-hours", () => {
    const s = summarizeSweep("lr-search", sweep());
    expect(s).toEqual({
      group: "lr-search",
      jobs: 20,
      completed: 15,
      failed: 5,
      cancelled: 0,
      top_failure_reason: "torch.OutOfMemoryError: CUDA out of memory.",
      top_failure_count: 4,
      best_final_loss: 0.36,
      best_job_id: "00000000-0000-4000-8000-000000000014",
      best_model_name: "mistral-7b-lr-14",
      // 20 jobs × 30 min × 2 GPUs.
      gpu_hours: 20,
      first_started_at: "2026-03-02T10:00:00.000Z",
      last_finished_at: "2026-03-02T10:49:00.000Z",
    });
  });

  it("does not depend on the order of the jobs", () => {
    const jobs = sweep();
    expect(summarizeSweep("g", [...jobs].reverse())).toEqual(summarizeSweep("g", jobs));
  });

  it("takes the best loss from completed jobs only, and ignores non-finite losses", () => {
    const jobs = sweep().map((j) => (j.status === "completed" ? { ...j, loss: Number.NaN } : j));
    const s = summarizeSweep("g", jobs);
    expect(s.best_final_loss).toBeUndefined();
    expect(s.best_job_id).toBeUndefined();
  });

  it("has no failure reason when nothing failed", () => {
    const s = summarizeSweep(
      "g",
      sweep().filter((j) => j.status === "completed"),
    );
    expect(s.failed).toBe(0);
    expect(s.top_failure_reason).toBeUndefined();
  });
});

describe("sweepFinished", () => {
  const window = 60;
  it("is true once every job finished and none started within the window", () => {
    expect(sweepFinished(sweep(), at(60), window)).toBe(true);
  });
  it("is false while a job of the group still runs or waits", () => {
    const jobs = sweep();
    jobs[3] = { ...(jobs[3] as SweepJob), status: "running", finished_at: null };
    expect(sweepFinished(jobs, at(60), window)).toBe(false);
    jobs[3] = { ...(jobs[3] as SweepJob), status: "queued", started_at: null };
    expect(sweepFinished(jobs, at(60), window)).toBe(false);
  });
  it("is false while a job started within the last window", () => {
    const jobs = sweep();
    const last = jobs[19] as SweepJob;
    jobs[19] = { ...last, started_at: at(59.5), finished_at: at(59.8) };
    expect(sweepFinished(jobs, at(60), window)).toBe(false);
    expect(sweepFinished(jobs, at(60.5), window)).toBe(true);
  });
  it("is false for a group with no jobs", () => {
    expect(sweepFinished([], at(60), window)).toBe(false);
  });
});

describe("group_completed template", () => {
  it("renders the sweep summary's numbers", () => {
    const view = renderTemplate("group_completed", summarizeSweep("lr-search", sweep()), null);
    expect(view.headline).toBe("🏁 Sweep Finished");
    expect(view.title).toBe("🏁 Sweep finished: lr-search");
    expect(view.level).toBe("warning");
    expect(view.summary).toBe("Sweep lr-search finished: 15 completed, 5 failed, 0 cancelled.");
    expect(Object.fromEntries(view.facts.map((f) => [f.label, f.value]))).toEqual({
      Group: "lr-search",
      Jobs: "20",
      Completed: "15",
      Failed: "5",
      Cancelled: "0",
      "Most Common Failure": "torch.OutOfMemoryError: CUDA out of memory. (4×)",
      "Best Final Loss": "0.36 (mistral-7b-lr-14)",
      "GPU-Hours": "20",
    });
    expect(view.link).toEqual({ label: "View Sweep", path: "/alerts/history?group=lr-search" });
  });

  it("is a success when nothing failed", () => {
    expect(
      renderTemplate("group_completed", { ...SAMPLE_DATA.group_completed, failed: 0 }, null).level,
    ).toBe("success");
  });
});
