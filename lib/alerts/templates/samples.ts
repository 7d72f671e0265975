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
  daily_summary: { summary: "3 jobs finished, 1 failed." },
  weekly_digest: { summary: "14 jobs finished, 2 failed." },
  rate_limit_notice: { suppressed_count: 17, limit_per_hour: 60 },
  webhook_disabled: {
    webhook_name: "Slack #ml-alerts",
    reason: "the receiver says this webhook no longer exists (HTTP 404: no_service)",
  },
  test: {
    model_name: "example-model",
    duration_seconds: 9240,
    final_loss: 0.342,
    current_step: 5000,
    total_steps: 5000,
  },
};
