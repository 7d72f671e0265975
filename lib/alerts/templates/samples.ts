import type { TemplateType } from "./index";

/**
 * Realistic event data for every alert type: what previews (the email
 * preview script, a UI preview) and "every type renders" tests start from.
 */

export const SAMPLE_TRACEBACK = `Traceback (most recent call last):
  File "/workspace/train.py", line 212, in <module>
    main()
  File "/workspace/train.py", line 198, in main
    trainer.train()
  File "/usr/local/lib/python3.11/site-packages/transformers/trainer.py", line 1938, in train
    return inner_training_loop(
  File "/usr/local/lib/python3.11/site-packages/transformers/trainer.py", line 2279, in _inner_training_loop
    tr_loss_step = self.training_step(model, inputs)
  File "/usr/local/lib/python3.11/site-packages/transformers/trainer.py", line 3349, in training_step
    self.accelerator.backward(loss, **kwargs)
  File "/usr/local/lib/python3.11/site-packages/torch/autograd/__init__.py", line 289, in backward
    _engine_run_backward(
torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.19 GiB is free. Including non-PyTorch memory, this process has 77.95 GiB memory in use. Of the allocated memory 74.21 GiB is allocated by PyTorch, and 2.27 GiB is reserved by PyTorch but unallocated.`;

export const SAMPLE_OOM_LOG = `{'loss': 0.4121, 'grad_norm': 1.93, 'learning_rate': 1.8e-05, 'epoch': 0.84}
 42%|████▏     | 2100/5000 [1:02:11<1:25:52,  1.78s/it]
[rank0]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.50 GiB. GPU 0 has a total capacity of 79.15 GiB of which 612.00 MiB is free.`;

const job = {
  model_name: "mistral-7b-custom",
  gpu_count: 4,
};

const reportStats = (n: Partial<Record<string, number>>) => ({
  started: 0,
  completed: 0,
  failed: 0,
  cancelled: 0,
  running: 0,
  training_seconds: 0,
  gpu_hours: 0,
  ooms: 0,
  stalls: 0,
  disk_warnings: 0,
  diverged: 0,
  alerts_sent: 0,
  alerts_deferred: 0,
  alerts_suppressed: 0,
  ...n,
});

/** A daily summary as the scheduler stores it (lib/alerts/templates/report-data.ts). */
export const SAMPLE_DAILY = {
  kind: "daily",
  timezone: "Europe/Berlin",
  label: "2026-03-03",
  start_local: "2026-03-02T09:00",
  end_local: "2026-03-03T09:00",
  totals: reportStats({
    started: 6,
    completed: 4,
    failed: 1,
    cancelled: 1,
    running: 1,
    training_seconds: 64_800,
    gpu_hours: 146.5,
    ooms: 1,
    stalls: 0,
    disk_warnings: 1,
    alerts_sent: 7,
    alerts_deferred: 2,
    alerts_suppressed: 0,
  }),
  models: [
    { model: "mistral-7b-custom", runs: 3, best_loss: 0.342, losses: [0.512, 0.401, 0.342] },
    { model: "llama-3-8b-dpo", runs: 1, best_loss: 0.618, losses: [0.618] },
  ],
  models_total: 2,
  failures: [
    {
      job_id: "3f2b9c4e-8a1d-4e5f-9b6c-7d8e9f0a1b2c",
      model: "mistral-7b-custom",
      error: "torch.OutOfMemoryError: CUDA out of memory.",
      finished_local: "2026-03-02 23:41",
    },
  ],
  disks: [{ path: "/mnt/checkpoints", percent: 93.4 }],
};

/** A weekly digest as the scheduler stores it. */
export const SAMPLE_WEEKLY = {
  ...SAMPLE_DAILY,
  kind: "weekly",
  label: "2026-W10",
  start_local: "2026-02-23T09:00",
  end_local: "2026-03-02T09:00",
  totals: reportStats({
    started: 21,
    completed: 14,
    failed: 2,
    cancelled: 3,
    running: 1,
    training_seconds: 412_200,
    gpu_hours: 1204.2,
    ooms: 2,
    stalls: 1,
    disk_warnings: 1,
    diverged: 1,
    alerts_sent: 31,
    alerts_deferred: 6,
    alerts_suppressed: 4,
  }),
  previous: reportStats({
    started: 17,
    completed: 11,
    failed: 4,
    cancelled: 1,
    training_seconds: 351_000,
    gpu_hours: 988.4,
    ooms: 3,
    alerts_sent: 27,
  }),
  days: [
    { date: "2026-02-23", completed: 2, failed: 1, cancelled: 0 },
    { date: "2026-02-24", completed: 3, failed: 0, cancelled: 1 },
    { date: "2026-02-25", completed: 1, failed: 0, cancelled: 0 },
    { date: "2026-02-26", completed: 4, failed: 1, cancelled: 1 },
    { date: "2026-02-27", completed: 2, failed: 0, cancelled: 0 },
    { date: "2026-02-28", completed: 0, failed: 0, cancelled: 0 },
    { date: "2026-03-01", completed: 2, failed: 0, cancelled: 1 },
  ],
};

export const SAMPLE_DATA: Record<TemplateType, Record<string, unknown>> = {
  job_started: { ...job, current_step: 0, total_steps: 5000 },
  job_completed: {
    ...job,
    duration_seconds: 9240,
    final_loss: 0.342,
    current_step: 5000,
    total_steps: 5000,
  },
  job_failed: {
    ...job,
    duration_seconds: 2700,
    current_step: 1200,
    total_steps: 5000,
    error: SAMPLE_TRACEBACK,
  },
  job_cancelled: {
    ...job,
    duration_seconds: 1860,
    final_loss: 0.981,
    current_step: 800,
    total_steps: 5000,
  },
  gpu_oom: { ...job, current_step: 2100, total_steps: 5000, log_excerpt: SAMPLE_OOM_LOG },
  disk_warning: { disk_path: "/mnt/checkpoints", disk_used_percent: 93.4 },
  timeout_warning: {
    ...job,
    minutes_without_progress: 42,
    current_step: 3120,
    total_steps: 5000,
  },
  loss_diverged: {
    ...job,
    loss: "nan",
    last_finite_loss: 2.71,
    current_step: 1840,
    total_steps: 5000,
  },
  group_completed: {
    group: "lr-search",
    jobs: 20,
    completed: 15,
    failed: 5,
    cancelled: 0,
    top_failure_reason: "torch.OutOfMemoryError: CUDA out of memory.",
    top_failure_count: 4,
    best_final_loss: 0.2871,
    best_job_id: "3f2b9c4e-8a1d-4e5f-9b6c-7d8e9f0a1b2c",
    best_model_name: "mistral-7b-lr3e-4",
    gpu_hours: 312.5,
  },
  daily_summary: SAMPLE_DAILY,
  weekly_digest: SAMPLE_WEEKLY,
  rate_limit_notice: { suppressed_count: 17, limit_per_hour: 60 },
  webhook_disabled: {
    webhook_name: "Slack #ml-alerts",
    reason: "the receiver says this webhook no longer exists (HTTP 404: no_service)",
  },
  stall_resolved: {
    model_name: "mistral-7b-custom",
    current_step: 3121,
    total_steps: 5000,
    stall_alert_id: "8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
  },
  test: {
    model_name: "example-model",
    duration_seconds: 9240,
    final_loss: 0.342,
    current_step: 5000,
    total_steps: 5000,
  },
};
