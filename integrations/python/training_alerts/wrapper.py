"""The command wrapper: ``training-alerts run [options] -- CMD ARGS…``.

Runs any training command unchanged and reports it to Training Alerts, with
no code in the training script:

- the job is reported ``running`` at start; when the command ends, exit 0 is
  ``completed`` (with the last step and loss seen), a non-zero exit ``failed``
  with the useful tail of stderr as the error, a SIGKILL (137) ``failed`` with
  a hint about the out-of-memory killer, SIGINT/SIGTERM ``cancelled``;
- stdout and stderr pass through byte for byte as they come, and the exit
  code is the command's (128 + N when a signal N killed it); SIGINT and
  SIGTERM sent to the wrapper are forwarded to the command;
- output lines go to the server in bounded batches (it detects CUDA
  out-of-memory errors), and progress parsed from what frameworks print
  (Hugging Face log dicts, tqdm and Lightning bars, ``step N loss X`` lines)
  is reported at most every ``--progress-every`` seconds, which re-arms the
  server's stall watch. A NaN or infinite loss is reported at once: the server
  raises ``loss_diverged``;
- under torchrun, accelerate, DeepSpeed or srun (``RANK``/``LOCAL_RANK``/
  ``SLURM_PROCID``), only global rank 0 reports status and progress; every
  rank sends its log lines to the same job, so an OOM on any rank is seen once.

Reporting runs in a background thread with bounded buffers: a dead or slow
server never slows or breaks the command, and the wrapper waits at most
``final_timeout`` seconds for its last reports after the command has ended.
"""

from __future__ import annotations

import logging
import math
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from typing import Any, Callable, Deque, Dict, List, Mapping, Optional, Sequence

from . import TrainingAlerts, TrainingAlertsError, _loss
from .progress import Progress, parse_line

log = logging.getLogger("training_alerts")

#: Most output lines held for sending; past this the oldest are dropped.
MAX_PENDING_LINES = 10_000
#: Lines per log request (the API takes 1000).
LINES_PER_BATCH = 500
#: Lines of stderr kept for a failure's error text.
STDERR_TAIL_LINES = 200
#: A line longer than this without a newline is cut and handled as a line.
MAX_LINE_BYTES = 64 * 1024
#: Characters of error text sent (the server keeps 20,000).
MAX_ERROR_CHARS = 8_000
#: Tries of a rank's log batch while rank 0 has not created the job yet (404).
MAX_LOG_TRIES = 30

OOM_KILLER_HINT = (
    "Killed by SIGKILL (exit 137). This is most often the kernel's out-of-memory killer "
    "(host RAM, not GPU memory) or the scheduler's memory limit: check `dmesg` or the job's "
    "memory usage, and lower the dataloader workers, batch size or preloaded data."
)


def global_rank(env: Mapping[str, str]) -> Optional[int]:
    """This process's global rank in a distributed launch, or None when not launched as one rank."""
    for name in ("RANK", "SLURM_PROCID", "OMPI_COMM_WORLD_RANK", "PMI_RANK"):
        value = env.get(name, "").strip()
        if value.isdigit():
            return int(value)
    local = env.get("LOCAL_RANK", "").strip()
    if local.isdigit():
        node = (env.get("NODE_RANK") or env.get("GROUP_RANK") or "0").strip()
        # Local rank 0 of node 0 is global rank 0; on another node it is not.
        return int(local) if node in ("", "0") else int(local) + 1
    return None


def shared_job_id(env: Mapping[str, str], name: Optional[str]) -> Optional[str]:
    """A job id every rank of one launch derives alike (torchrun's run id, Slurm's job and step)."""
    run = env.get("TORCHELASTIC_RUN_ID", "").strip()
    if run and run.lower() != "none":
        key = f"torchelastic:{run}"
    elif env.get("SLURM_JOB_ID"):
        key = f"slurm:{env['SLURM_JOB_ID']}.{env.get('SLURM_STEP_ID', '')}"
    else:
        return None
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"training-alerts:{key}:{name or ''}"))


def default_name(command: Sequence[str]) -> Optional[str]:
    """A job name from the command when none is given: the script it runs (``train.py``), else the program."""
    for arg in command:
        if arg.endswith(".py") and not arg.startswith("-"):
            return os.path.basename(arg)
    return os.path.basename(command[0]) if command else None


def error_text(stderr_lines: Sequence[str], max_chars: int = MAX_ERROR_CHARS) -> str:
    """The useful tail of stderr: from the last Python traceback on, else the last lines."""
    lines = [line for line in stderr_lines if line.strip()]
    start = max(0, len(lines) - 40)
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].startswith("Traceback (most recent call last)"):
            start = i
            break
    text = "\n".join(lines[start:])
    if len(text) > max_chars:
        text = "…" + text[-(max_chars - 1):]
    return text


class _Output:
    """What the command printed, as the reader threads see it; every method is quick and non-blocking."""

    def __init__(self, fixed_total: Optional[int]) -> None:
        self.lock = threading.Lock()
        self.pending: Deque[str] = deque(maxlen=MAX_PENDING_LINES)
        self.dropped = 0
        self.stderr_tail: Deque[str] = deque(maxlen=STDERR_TAIL_LINES)
        self.step: Optional[int] = None
        self.total: Optional[int] = fixed_total
        self.fixed_total = fixed_total is not None
        self.loss: Optional[float] = None
        #: The last (step, loss) with a finite loss, so the server knows it before a NaN.
        self.last_finite: Optional[tuple] = None
        self.diverged = False  # a non-finite loss was seen and is to be reported at once
        self.diverged_step: Optional[int] = None
        self.diverged_loss: Optional[float] = None
        self.wake = threading.Event()

    def line(self, text: str, is_stderr: bool) -> None:
        with self.lock:
            if len(self.pending) == self.pending.maxlen:
                self.dropped += 1
            self.pending.append(text)
            if is_stderr:
                self.stderr_tail.append(text)
            if len(self.pending) >= LINES_PER_BATCH:
                self.wake.set()

    def progress(self, found: Progress) -> None:
        if not found:
            return
        with self.lock:
            if found.step is not None:
                if found.source == "bar" and found.total is not None:
                    # Another bar (evaluation, data) is shorter than the training bar: ignore it.
                    if self.total is not None and found.total != self.total and (
                        self.fixed_total or found.total < self.total
                    ):
                        found = Progress(loss=found.loss)
                    elif not self.fixed_total:
                        self.total = found.total
                if found.step is not None:
                    self.step = found.step
            if found.loss is not None:
                if math.isfinite(found.loss):
                    self.last_finite = (self.step, found.loss)
                elif self.diverged_loss is None:
                    # The first non-finite loss is reported at once, with its step.
                    self.diverged = True
                    self.diverged_step = self.step
                    self.diverged_loss = found.loss
                    self.wake.set()
                self.loss = found.loss

    def take_lines(self, n: int) -> List[str]:
        with self.lock:
            return [self.pending.popleft() for _ in range(min(n, len(self.pending)))]

    def give_back(self, lines: List[str]) -> None:
        with self.lock:
            self.pending.extendleft(reversed(lines))


class CommandWrapper:
    """Runs one command and reports it. ``run()`` answers the exit code to exit with."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        name: Optional[str] = None,
        group: Optional[str] = None,
        job_id: Optional[str] = None,
        total_steps: Optional[int] = None,
        progress_every: float = 30.0,
        flush_every: float = 2.0,
        final_timeout: float = 30.0,
        env: Optional[Mapping[str, str]] = None,
        client: Optional[TrainingAlerts] = None,
    ) -> None:
        self.command = list(command)
        self.name = name or default_name(self.command)
        self.group = group
        self.total_steps = total_steps
        self.progress_every = max(0.0, progress_every)
        self.flush_every = max(0.05, min(flush_every, self.progress_every or flush_every))
        self.final_timeout = final_timeout
        self.env = dict(os.environ if env is None else env)
        self.client = client or TrainingAlerts.from_env(timeout=5, retries=2)
        self.rank = global_rank(self.env)
        self.reports_status = self.rank in (None, 0)
        self.job_id = job_id or (shared_job_id(self.env, name) if self.rank is not None else None)
        self.ships_logs = self.client.enabled
        if self.job_id is None:
            if self.reports_status:
                self.job_id = str(uuid.uuid4())
            else:
                log.warning(
                    "Training Alerts: rank %s cannot tell the job id of rank 0; pass --job-id with the same"
                    " UUID on every rank (or launch with torchrun or srun). Its log lines are not sent.",
                    self.rank,
                )
                self.ships_logs = False
        self.output = _Output(total_steps)
        self.interrupted: Optional[int] = None
        self.oom_found = False
        self._stop = threading.Event()
        self._progress_sent_at = -math.inf
        self._progress_sent: Optional[tuple] = None
        self._total_sent = total_steps
        self._log_tries = 0

    # -- running the command ---------------------------------------------------

    def run(self) -> int:
        child_env = dict(self.env)
        # Python children block-buffer a pipe; alerts and passthrough want lines as they come.
        child_env.setdefault("PYTHONUNBUFFERED", "1")
        if self.job_id:
            child_env["TRAINING_ALERTS_JOB_ID"] = self.job_id
        try:
            child = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env)
        except OSError as error:
            message = f"training-alerts: cannot run {self.command[0]!r}: {error.strerror or error}\n"
            os.write(2, message.encode("utf-8", "replace"))
            if self.reports_status:
                self.client.report_status(self.job_id, "failed", error=message.strip(), **self._job_fields())
            return 127 if isinstance(error, FileNotFoundError) else 126
        self.child = child
        previous = self._forward_signals(child)
        readers = [
            threading.Thread(target=self._pump, args=(child.stdout, 1, False), daemon=True),
            threading.Thread(target=self._pump, args=(child.stderr, 2, True), daemon=True),
        ]
        for reader in readers:
            reader.start()
        reporter = threading.Thread(target=self._report_loop, name="training-alerts-reporter", daemon=True)
        reporter.start()
        try:
            code = child.wait()
        finally:
            # Output a grandchild still holds open must not keep us here for ever.
            for reader in readers:
                reader.join(timeout=5)
            self._restore_signals(previous)
        deadline = time.monotonic() + self.final_timeout
        self._stop.set()
        self.output.wake.set()
        reporter.join(timeout=max(0.0, deadline - time.monotonic()))
        if self.client.enabled and time.monotonic() < deadline:
            self._final_report(code)
        return code if code >= 0 else 128 - code

    def _pump(self, stream: Any, fd: int, is_stderr: bool) -> None:
        pending = b""
        passing = True
        src = stream.fileno()
        while True:
            try:
                chunk = os.read(src, 65536)
            except OSError:
                break
            if not chunk:
                break
            if passing:
                try:
                    _write_all(fd, chunk)
                except OSError:  # our own output is closed (a closed pipe): keep draining the child
                    passing = False
            try:
                pending = self._consume(pending + chunk, is_stderr)
            except Exception:  # noqa: BLE001 - parsing must never stop the passthrough
                log.debug("Training Alerts: could not parse output", exc_info=True)
                pending = b""
        if pending:
            self._segment(pending, is_stderr, complete=True)
        stream.close()

    def _consume(self, data: bytes, is_stderr: bool) -> bytes:
        while True:
            end = data.find(b"\n")
            if end < 0:
                break
            self._segment(data[:end], is_stderr, complete=True)
            data = data[end + 1 :]
        # A progress bar redraws itself with carriage returns and no newline.
        cr = data.rfind(b"\r")
        if cr >= 0:
            for part in data[:cr].split(b"\r"):
                if part.strip():
                    self.output.progress(parse_line(part.decode("utf-8", "replace")))
            data = data[cr + 1 :]
        if len(data) > MAX_LINE_BYTES:
            self._segment(data, is_stderr, complete=True)
            data = b""
        return data

    def _segment(self, raw: bytes, is_stderr: bool, complete: bool) -> None:
        parts = [p for p in raw.split(b"\r") if p.strip()]
        for part in parts:
            self.output.progress(parse_line(part.decode("utf-8", "replace")))
        if complete and parts:
            # The screen shows the last redraw of a line; that is the line to send.
            self.output.line(parts[-1].decode("utf-8", "replace"), is_stderr)

    def _forward_signals(self, child: subprocess.Popen) -> Dict[int, Any]:
        previous: Dict[int, Any] = {}
        if threading.current_thread() is not threading.main_thread():
            return previous

        def forward(signum: int, frame: Any) -> None:
            self.interrupted = signum
            # Ctrl-C at a terminal reaches the whole foreground process group,
            # the command included: sending it again would interrupt its cleanup.
            if signum == signal.SIGINT and _in_terminal_foreground():
                return
            try:
                child.send_signal(signum)
            except OSError:
                pass

        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, forward)
        return previous

    @staticmethod
    def _restore_signals(previous: Dict[int, Any]) -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    # -- reporting (background thread) -------------------------------------------

    def _job_fields(self) -> Dict[str, Any]:
        fields: Dict[str, Any] = {}
        if self.name:
            fields["model_name"] = self.name
        if self.total_steps is not None:
            fields["total_steps"] = self.total_steps
        world = self.env.get("WORLD_SIZE", "")
        if world.isdigit() and int(world) > 0:
            fields["gpu_count"] = int(world)
        metadata: Dict[str, Any] = {"command": " ".join(self.command)[:1000], "source": "training-alerts run"}
        if self.group:
            metadata["group"] = self.group
        fields["metadata"] = metadata
        return fields

    def _report_loop(self) -> None:
        if not self.client.enabled:
            return
        try:
            if self.reports_status:
                self.client.report_status(self.job_id, "running", **self._job_fields())
            self._flush_until(self._stop.is_set, every=self.flush_every, final=False)
        except Exception:  # noqa: BLE001 - reporting must never break the command
            log.warning("Training Alerts: reporting stopped after an unexpected error", exc_info=True)

    def _flush_until(self, done: Callable[[], bool], every: float, final: bool) -> None:
        """Flushes whenever the output asks (a full batch, a NaN) or ``every`` seconds, until ``done()``.
        The one reporting loop: the reporter thread's while the command runs, and a rank's last tries."""
        while not done():
            self.output.wake.wait(every)
            self.output.wake.clear()
            if done():
                break
            self._flush(final)

    def _flush(self, final: bool) -> None:
        self._send_logs(final)
        if self.reports_status:
            self._send_progress(final)

    def _send_logs(self, final: bool) -> None:
        if not self.ships_logs or self.oom_found:
            return
        while True:
            lines = self.output.take_lines(LINES_PER_BATCH)
            if not lines:
                return
            try:
                answer = self.client.report_logs(self.job_id, lines) if self.reports_status else self._rank_logs(lines)
            except _NotYet:
                self.output.give_back(lines)
                return
            if answer and answer.get("oom"):
                self.oom_found = True  # one gpu_oom per job: the rest need not travel
                return
            if not final and len(lines) < LINES_PER_BATCH:
                return

    def _rank_logs(self, lines: List[str]) -> Optional[Dict[str, Any]]:
        # Rank 0 may not have created the job yet: keep the lines for a later try.
        strict = self.client.raise_errors
        self.client.raise_errors = True
        try:
            return self.client.report_logs(self.job_id, lines)
        except TrainingAlertsError as error:
            if error.status == 404 and self._log_tries < MAX_LOG_TRIES:
                self._log_tries += 1
                raise _NotYet() from error
            return None
        finally:
            self.client.raise_errors = strict

    def _send_progress(self, final: bool) -> None:
        if final:
            return  # the final status carries the last step and loss
        out = self.output
        with out.lock:
            step, loss, total, urgent = out.step, out.loss, out.total, out.diverged
            last_finite = out.last_finite
            if urgent:
                # The step and loss the loss became non-finite at, not later ones.
                step, loss = out.diverged_step, out.diverged_loss
            out.diverged = False
        if total is not None and total != self._total_sent:
            self._total_sent = total
            self.client.report_status(self.job_id, "running", total_steps=total)
        if step is None and not urgent:
            return
        sent = (step, _loss(loss))
        now = time.monotonic()
        if sent == self._progress_sent or (not urgent and now - self._progress_sent_at < self.progress_every):
            return
        if urgent and last_finite and last_finite[0] is not None and last_finite != self._progress_sent:
            # The alert names the last finite loss: the server must have it first.
            self.client.report_progress(self.job_id, last_finite[0], last_finite[1])
        self._progress_sent_at = now
        self._progress_sent = sent
        # A NaN is reported at once, whatever the interval: the server raises loss_diverged.
        self.client.report_progress(self.job_id, step or 0, loss)

    def _final_report(self, code: int) -> None:
        try:
            self._flush(final=True)
        except Exception:  # noqa: BLE001
            log.debug("Training Alerts: final flush failed", exc_info=True)
        if not self.reports_status:
            # Rank 0 may still be creating the job: give this rank's last lines a few more tries.
            deadline = time.monotonic() + min(10.0, self.final_timeout / 2)
            self._flush_until(
                lambda: not self.output.pending
                or self.oom_found
                or time.monotonic() >= deadline
                or self._log_tries >= MAX_LOG_TRIES,
                every=0.5,
                final=True,
            )
            return
        out = self.output
        fields: Dict[str, Any] = {}
        if out.step is not None:
            fields["current_step"] = out.step
        if out.loss is not None:
            fields["loss"] = out.loss
        if out.total is not None:
            fields["total_steps"] = out.total
        tail = error_text(list(out.stderr_tail))
        interrupted = self.interrupted is not None or code in (-signal.SIGINT, -signal.SIGTERM, 130, 143)
        if interrupted:
            signum = self.interrupted or (-code if code < 0 else code - 128)
            fields["error"] = f"Interrupted ({_signal_name(signum)})"
            status = "cancelled"
        elif code == 0:
            status = "completed"
        else:
            status = "failed"
            if code in (-signal.SIGKILL, 137):
                fields["error"] = OOM_KILLER_HINT + (f"\n\n{tail}" if tail else "")
            elif code < 0:
                fields["error"] = f"Killed by {_signal_name(-code)}." + (f"\n\n{tail}" if tail else "")
            else:
                fields["error"] = tail or f"The command exited with status {code} and printed nothing on stderr."
        self.client.report_status(self.job_id, status, **fields)


class _NotYet(Exception):
    pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _in_terminal_foreground() -> bool:
    """True when this process is in its terminal's foreground process group (Ctrl-C reaches the command too)."""
    if not hasattr(os, "tcgetpgrp"):
        return False
    try:
        fd = os.open("/dev/tty", os.O_RDONLY | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return False
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False
    finally:
        os.close(fd)


def configure_logging() -> None:
    """The wrapper's own messages go to stderr, prefixed, warnings and up (stdout is the command's alone)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("training-alerts: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.WARNING)
    log.propagate = False
