"""Tests of the command wrapper (``training-alerts run``) around real Python
child scripts, against a running Training Alerts server, with a personal
producer key.

    TA_URL=http://127.0.0.1:3000 TA_API_KEY=tak_… TA_USER_TOKEN=<a user's access token> \\
        python3 -m unittest integrations/python/test_wrapper.py -v

``npm run test:python`` starts a server, creates the user's key, installs the
package into a fresh virtual environment with pip (offline) and sets these,
with ``TA_WRAPPER`` naming the installed ``training-alerts`` console script.
Without ``TA_WRAPPER`` the tests run ``python -m training_alerts`` from this
directory. Nothing is skipped. Waits for the server's state are bounded and
fail naming what they waited for.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest
import urllib.error
import urllib.request
import uuid
from typing import Any, Callable, Dict, List, Optional, Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from training_alerts.progress import parse_line  # noqa: E402
from training_alerts.wrapper import default_name, error_text, global_rank, shared_job_id  # noqa: E402

ENV = ("TA_URL", "TA_API_KEY", "TA_USER_TOKEN")


def setUpModule() -> None:
    missing = [name for name in ENV if not os.environ.get(name)]
    if missing:
        raise RuntimeError(
            f"{', '.join(missing)} not set. These tests run against a live server: "
            "`npm run build && npm run test:python` starts one and sets them."
        )
    # Every alert type on, so each job's alerts are all in the history.
    api("PUT", "/api/alerts/preferences", os.environ["TA_USER_TOKEN"], {
        "alert_job_started": True,
        "alert_job_cancelled": True,
    })


def api(method: str, path: str, token: str, body: Optional[Dict[str, Any]] = None) -> Any:
    request = urllib.request.Request(
        os.environ["TA_URL"] + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
    return json.loads(text) if text else None


def job_row(job_id: str) -> Optional[Dict[str, Any]]:
    """The job as the server holds it (an empty update answers the row), or None."""
    try:
        return api("PUT", f"/api/training/jobs/{job_id}", os.environ["TA_API_KEY"], {})
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


def alerts_of(job_id: str) -> List[Dict[str, Any]]:
    page = api("GET", f"/api/alerts/history?job_id={job_id}&limit=100", os.environ["TA_USER_TOKEN"])
    return page["items"]


def wait_for(what: str, check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def alert_types_when(job_id: str, expected: Sequence[str]) -> List[str]:
    """The job's alert types once every expected one is there (sorted)."""

    def check() -> Optional[List[str]]:
        types = sorted(a["alert_type"] for a in alerts_of(job_id))
        return types if all(t in types for t in expected) else None

    return wait_for(f"alerts {sorted(expected)} of job {job_id}", check)


def wrapper_command() -> List[str]:
    installed = os.environ.get("TA_WRAPPER")
    return [installed] if installed else [sys.executable, "-m", "training_alerts"]


class WrapperTest(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="ta-wrapper-")

    def script(self, source: str) -> str:
        path = os.path.join(self.dir, f"child_{uuid.uuid4().hex[:8]}.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(source))
        return path

    def env(self, **extra: str) -> Dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("RANK", "LOCAL_RANK", "WORLD_SIZE", "SLURM_PROCID", "SLURM_JOB_ID", "TORCHELASTIC_RUN_ID")}
        env.update(ALERTS_URL=os.environ["TA_URL"], ALERTS_API_KEY=os.environ["TA_API_KEY"])
        if not os.environ.get("TA_WRAPPER"):
            env["PYTHONPATH"] = HERE  # python -m training_alerts from this directory
        env.pop("ALERTS_SERVICE_KEY", None)
        env.pop("ALERTS_USER_ID", None)
        env.update(extra)
        return env

    def start(self, script: str, *options: str, env: Optional[Dict[str, str]] = None) -> subprocess.Popen:
        return subprocess.Popen(
            [*wrapper_command(), "run", *options, "--progress-every", "0.2", "--", sys.executable, script],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env or self.env(),
            # Its own session: no terminal, so a SIGINT is the test's alone (as from a scheduler).
            start_new_session=True,
        )

    def run_wrapper(self, script: str, *options: str, env: Optional[Dict[str, str]] = None):
        process = self.start(script, *options, env=env)
        out, err = process.communicate(timeout=120)
        return process.returncode, out, err

    def test_reports_running_progress_and_completed_for_hugging_face_dicts_and_a_tqdm_bar(self) -> None:
        job_id = str(uuid.uuid4())
        child = self.script(
            """
            import sys, time
            print("Loading checkpoint shards: 100%|##########| 3/3 [00:01<00:00,  2.00it/s]")
            for step in range(1, 41):
                sys.stderr.write(f"\\r  {step * 100 // 40}%|####      | {step}/40 [00:{step:02d}<00:10, 4.0it/s]")
                sys.stderr.flush()
                if step % 10 == 0:
                    print()
                    print({'loss': round(2.0 / step, 4), 'learning_rate': 4e-05, 'epoch': step / 40})
                time.sleep(0.02)
            print({'train_runtime': 1.2, 'train_loss': 0.05, 'epoch': 1.0})
            """
        )
        code, _, err = self.run_wrapper(child, "--name", "hf-tiny", "--group", "sweep-7", "--job-id", job_id)
        self.assertEqual(code, 0, err.decode())
        job = job_row(job_id)
        assert job is not None
        self.assertEqual(job["status"], "completed")
        self.assertEqual(job["model_name"], "hf-tiny")
        self.assertEqual(job["metadata"]["group"], "sweep-7")
        self.assertEqual((job["current_step"], job["total_steps"]), (40, 40))
        self.assertAlmostEqual(job["loss"], 0.05)
        self.assertIsNotNone(job["started_at"])
        types = alert_types_when(job_id, ["job_started", "job_completed"])
        self.assertEqual(types, ["job_completed", "job_started"])

    def test_an_exit_1_is_failed_with_the_stderr_tail(self) -> None:
        job_id = str(uuid.uuid4())
        child = self.script(
            """
            import sys
            print("step 10 loss 1.50")
            for i in range(100):
                print(f"noise {i}", file=sys.stderr)
            def train():
                raise ValueError("the batch had no labels at step 11")
            train()
            """
        )
        code, _, err = self.run_wrapper(child, "--name", "fails", "--job-id", job_id)
        self.assertEqual(code, 1)
        self.assertIn(b"ValueError: the batch had no labels at step 11", err)
        job = job_row(job_id)
        assert job is not None
        self.assertEqual(job["status"], "failed")
        self.assertTrue(job["error"].startswith("Traceback (most recent call last)"), job["error"])
        self.assertIn("ValueError: the batch had no labels at step 11", job["error"])
        self.assertNotIn("noise 5", job["error"])
        self.assertEqual((job["current_step"], job["loss"]), (10, 1.5))
        failed = wait_for("the job_failed alert", lambda: [a for a in alerts_of(job_id) if a["alert_type"] == "job_failed"])
        self.assertIn("the batch had no labels", json.dumps(failed[0]["data"]))

    def test_a_sigkill_is_failed_with_the_out_of_memory_killer_hint(self) -> None:
        job_id = str(uuid.uuid4())
        child = self.script(
            """
            import os, signal
            print("step 3 loss 0.9", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
            """
        )
        code, _, _ = self.run_wrapper(child, "--job-id", job_id)
        self.assertEqual(code, 137)
        job = job_row(job_id)
        assert job is not None
        self.assertEqual(job["status"], "failed")
        self.assertEqual(job["model_name"], os.path.basename(child))  # no --name: the script
        self.assertIn("SIGKILL (exit 137)", job["error"])
        self.assertIn("out-of-memory killer", job["error"])

    def test_a_sigint_is_forwarded_and_the_job_cancelled(self) -> None:
        job_id = str(uuid.uuid4())
        child = self.script(
            """
            import signal
            try:
                print("ready", flush=True)  # inside the try: the interrupt may come at once
                while True:
                    signal.pause()  # wakes on the forwarded SIGINT, which raises below
            except KeyboardInterrupt:
                print("child saw the interrupt", flush=True)
                raise
            """
        )
        process = self.start(child, "--job-id", job_id)
        assert process.stdout is not None
        self.assertEqual(process.stdout.readline(), b"ready\n")
        wait_for("the job to be running", lambda: (job_row(job_id) or {}).get("status") == "running")
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=60)
        self.assertEqual(out, b"child saw the interrupt\n")
        # Python ends an uncaught KeyboardInterrupt by dying of SIGINT: 128 + 2.
        self.assertEqual(process.returncode, 130)
        job = job_row(job_id)
        assert job is not None
        self.assertEqual(job["status"], "cancelled")
        self.assertEqual(job["error"], "Interrupted (SIGINT)")
        self.assertEqual(alert_types_when(job_id, ["job_cancelled"]), ["job_cancelled", "job_started"])

    def test_output_passes_through_byte_for_byte_and_the_exit_code_is_the_childs(self) -> None:
        child = self.script(
            r"""
            import os, sys
            out, err = sys.stdout.buffer, sys.stderr.buffer
            out.write(b"plain line\n\xff\xfe not utf-8 \x00\x07\n"); out.flush()
            err.write(b"progress 1\rprogress 2\rprogress 3\n"); err.flush()
            out.write("caf\u00e9 \U0001F525 crlf\r\n".encode()); out.flush()
            err.write(b"no newline at the end"); err.flush()
            out.write(b"x" * 100_000 + b"\n" + b"last, unterminated"); out.flush()
            sys.exit(42)
            """
        )
        expected_out = b"plain line\n\xff\xfe not utf-8 \x00\x07\n" + "caf\u00e9 \U0001F525 crlf\r\n".encode() + b"x" * 100_000 + b"\nlast, unterminated"
        expected_err = b"progress 1\rprogress 2\rprogress 3\nno newline at the end"
        job_id = str(uuid.uuid4())
        code, out, err = self.run_wrapper(child, "--job-id", job_id)
        self.assertEqual(code, 42)
        self.assertEqual(out, expected_out)
        self.assertEqual(err, expected_err)
        job = job_row(job_id)
        assert job is not None
        self.assertEqual(job["status"], "failed")
        self.assertIn("no newline at the end", job["error"])

    def test_two_ranks_make_one_job_and_one_set_of_alerts(self) -> None:
        run_id = str(uuid.uuid4())
        child = self.script(
            """
            import os, sys, time
            rank = int(os.environ["RANK"])
            for step in range(1, 6):
                print(f"step {step} loss {1.0 / step:.3f}", flush=True)
                time.sleep(0.05)
            if rank == 1:
                print("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 1; 79.15 GiB total capacity)", file=sys.stderr, flush=True)
            sys.exit(1)
            """
        )
        ranks = [
            self.start(child, "--name", "ddp-run", env=self.env(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE="2", TORCHELASTIC_RUN_ID=run_id))
            for rank in (0, 1)
        ]
        codes = [p.wait(timeout=120) for p in ranks]
        for p in ranks:
            assert p.stdout is not None and p.stderr is not None
            p.stdout.close()
            p.stderr.close()
        self.assertEqual(codes, [1, 1])
        job_id = shared_job_id({"TORCHELASTIC_RUN_ID": run_id}, "ddp-run")
        assert job_id is not None
        job = job_row(job_id)
        assert job is not None
        self.assertEqual((job["status"], job["gpu_count"], job["current_step"]), ("failed", 2, 5))
        types = alert_types_when(job_id, ["job_started", "job_failed", "gpu_oom"])
        self.assertEqual(types, ["gpu_oom", "job_failed", "job_started"])

    def test_a_nan_loss_makes_one_loss_diverged_alert_with_the_step(self) -> None:
        job_id = str(uuid.uuid4())
        child = self.script(
            """
            import time
            for step in range(1, 8):
                loss = 1.0 / step if step < 5 else float("nan")
                print(f"step {step} loss {loss}", flush=True)
                time.sleep(0.05)
            """
        )
        code, _, err = self.run_wrapper(child, "--name", "blows-up", "--job-id", job_id)
        self.assertEqual(code, 0, err.decode())
        alert = wait_for(
            "the loss_diverged alert",
            lambda: [a for a in alerts_of(job_id) if a["alert_type"] == "loss_diverged"],
        )
        self.assertEqual(len(alert), 1)
        self.assertIn("NaN loss at step 5", alert[0]["message"])
        self.assertIn("last finite loss was 0.25", alert[0]["message"])
        alert_types_when(job_id, ["job_completed"])
        self.assertEqual(sum(a["alert_type"] == "loss_diverged" for a in alerts_of(job_id)), 1)

    def test_without_configuration_the_command_runs_unreported(self) -> None:
        child = self.script('print("still runs")\n')
        env = self.env()
        env.pop("ALERTS_API_KEY")
        code, out, err = self.run_wrapper(child, env=env)
        self.assertEqual((code, out), (0, b"still runs\n"))
        self.assertIn(b"Training Alerts disabled", err)

    def test_a_missing_command_is_127_and_reported_failed(self) -> None:
        job_id = str(uuid.uuid4())
        process = subprocess.run(
            [*wrapper_command(), "run", "--job-id", job_id, "--", "no-such-command-ta-test"],
            env=self.env(),
            capture_output=True,
            timeout=60,
        )
        self.assertEqual(process.returncode, 127)
        self.assertIn(b"cannot run 'no-such-command-ta-test'", process.stderr)
        self.assertEqual((job_row(job_id) or {}).get("status"), "failed")


class ParsingTest(unittest.TestCase):
    def test_reads_the_lines_frameworks_print(self) -> None:
        cases = {
            "{'loss': 0.81, 'grad_norm': 1.2, 'learning_rate': 4e-05, 'epoch': 1.2}": (None, None, 0.81),
            " 45%|████▌     | 123/5000 [00:10<06:40, 12.2it/s, loss=1.23]": (123, 5000, 1.23),
            "Epoch 2:  45%|████▌ | 45/100 [00:05<00:06,  8.9it/s, v_num=0, train_loss=0.823]": (245, None, 0.823),
            "step 120 loss 1.92": (120, None, 1.92),
            "Step 120/5000 | loss: 1.92": (120, 5000, 1.92),
            "Map: 100%|██████████| 500/500 [00:00<00:00, 5000.00 examples/s]": (None, None, None),
            "val_loss 0.3 at epoch 4": (None, None, None),
        }
        for line, expected in cases.items():
            found = parse_line(line)
            self.assertEqual((found.step, found.total, found.loss), expected, line)
        nan = parse_line("{'loss': nan, 'learning_rate': 4e-05, 'epoch': 1.0}").loss
        self.assertTrue(nan is not None and math.isnan(nan))
        self.assertEqual(parse_line("iter 9, loss=-inf").loss, float("-inf"))

    def test_ranks_and_error_tails(self) -> None:
        self.assertEqual(global_rank({}), None)
        self.assertEqual(global_rank({"RANK": "3", "LOCAL_RANK": "1"}), 3)
        self.assertEqual(global_rank({"LOCAL_RANK": "0"}), 0)
        self.assertNotEqual(global_rank({"LOCAL_RANK": "0", "NODE_RANK": "1"}), 0)
        self.assertIsNone(shared_job_id({"TORCHELASTIC_RUN_ID": "none"}, "x"))
        self.assertEqual(shared_job_id({"SLURM_JOB_ID": "42"}, "x"), shared_job_id({"SLURM_JOB_ID": "42"}, "x"))
        tail = error_text(["a"] * 50 + ["Traceback (most recent call last):", '  File "t.py"', "KeyError: 'x'"])
        self.assertEqual(tail, "Traceback (most recent call last):\n  File \"t.py\"\nKeyError: 'x'")
        self.assertEqual(error_text([f"l{i}" for i in range(100)]).splitlines()[0], "l60")
        self.assertEqual(default_name(["torchrun", "--nproc-per-node=8", "/runs/train.py", "--lr", "3"]), "train.py")
        self.assertEqual(default_name(["/usr/bin/deepspeed"]), "deepspeed")


if __name__ == "__main__":
    unittest.main()
