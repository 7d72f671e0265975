"""Tests of the Python client against a running Training Alerts server.

    TA_URL=http://127.0.0.1:3000 TA_SERVICE_KEY=… TA_USER_ID=<uuid> \\
        python3 -m unittest integrations/python/test_training_alerts.py -v

``npm run test:python`` starts a server and sets these. Nothing is skipped:
without them every test fails, saying what to set. Retry behaviour is tested
against a small local HTTP server that answers what each test scripts.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import unittest
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any, Callable, Dict, List, Optional, Tuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from training_alerts import (  # noqa: E402
    TrainingAlerts,
    TrainingAlertsCallback,
    TrainingAlertsError,
)

ENV = ("TA_URL", "TA_SERVICE_KEY", "TA_USER_ID")


def setUpModule() -> None:
    missing = [name for name in ENV if not os.environ.get(name)]
    if missing:
        raise RuntimeError(
            f"{', '.join(missing)} not set. These tests run against a live server: "
            "`npm run build && npm run test:python` starts one and sets TA_URL, "
            "TA_SERVICE_KEY and TA_USER_ID; or set them for a server you run."
        )


def live_client(**options: Any) -> TrainingAlerts:
    return TrainingAlerts(
        os.environ["TA_URL"],
        os.environ["TA_SERVICE_KEY"],
        os.environ["TA_USER_ID"],
        **options,
    )


def new_id() -> str:
    return str(uuid.uuid4())


def failing_training_step() -> None:
    raise ValueError("loss became a banana at step 7")


class LiveServerTest(unittest.TestCase):
    def setUp(self) -> None:
        self.alerts = live_client()
        self.strict = live_client(raise_errors=True)

    def test_context_manager_round_trip_reports_running_progress_and_completed(self) -> None:
        job_id = new_id()
        with self.alerts.job(job_id, model_name="tiny-llama", total_steps=3, gpu_count=2) as job:
            self.assertEqual(job.id, job_id)
            answers = [job.progress(step, loss=2.0 / step) for step in (1, 2, 3)]
        assert job.started is not None and job.result is not None
        self.assertEqual(job.started["status"], "running")
        self.assertEqual(job.started["model_name"], "tiny-llama")
        self.assertEqual(job.started["total_steps"], 3)
        self.assertEqual(job.started["gpu_count"], 2)
        self.assertEqual([a["current_step"] for a in answers if a], [1, 2, 3])
        self.assertEqual(job.result["status"], "completed")
        self.assertEqual(job.result["current_step"], 3)
        self.assertAlmostEqual(job.result["loss"], 2.0 / 3)
        self.assertIsNotNone(job.result["finished_at"])

    def test_a_failing_block_reports_failed_with_the_traceback_and_re_raises(self) -> None:
        with self.assertRaises(ValueError):
            with self.alerts.job(model_name="tiny-llama", total_steps=100) as job:
                job.progress(7, loss=float("nan"))
                failing_training_step()
        assert job.result is not None
        self.assertEqual(job.result["status"], "failed")
        self.assertEqual(job.result["current_step"], 7)
        error = job.result["error"]
        self.assertTrue(error.startswith("Traceback (most recent call last):"), error)
        self.assertIn("in failing_training_step", error)
        self.assertIn("ValueError: loss became a banana at step 7", error)

    def test_ctrl_c_reports_cancelled(self) -> None:
        with self.assertRaises(KeyboardInterrupt):
            with self.alerts.job(model_name="tiny-llama") as job:
                raise KeyboardInterrupt
        assert job.result is not None
        self.assertEqual(job.result["status"], "cancelled")

    def test_report_status_and_progress_answer_the_job_row(self) -> None:
        job_id = new_id()
        created = self.alerts.report_status(job_id, "queued", model_name="bert-base", total_steps=10, team="nlp")
        assert created is not None
        self.assertEqual(created["id"], job_id)
        self.assertEqual(created["user_id"], os.environ["TA_USER_ID"].lower())
        self.assertEqual(created["status"], "queued")
        self.assertEqual(created["metadata"], {"team": "nlp"})
        self.assertEqual(self.alerts.report_status(job_id, "running")["status"], "running")
        progress = self.alerts.report_progress(job_id, 5, loss=0.75)
        assert progress is not None
        self.assertEqual((progress["current_step"], progress["loss"]), (5, 0.75))
        done = self.alerts.report_status(job_id, "completed", current_step=10, loss=0.5)
        assert done is not None
        self.assertEqual(done["status"], "completed")

    def test_an_illegal_transition_is_logged_not_raised_unless_asked(self) -> None:
        job_id = new_id()
        self.alerts.report_status(job_id, "completed")
        with self.assertLogs("training_alerts", "WARNING") as logs:
            self.assertIsNone(self.alerts.report_status(job_id, "running"))
        self.assertIn("409", logs.output[0])
        with self.assertRaises(TrainingAlertsError) as raised:
            self.strict.report_status(job_id, "running")
        self.assertEqual(raised.exception.status, 409)
        self.assertIn("completed", raised.exception.detail or "")

    def test_progress_for_a_job_that_is_not_running_is_a_409(self) -> None:
        job_id = new_id()
        self.alerts.report_status(job_id, "queued")
        with self.assertRaises(TrainingAlertsError) as raised:
            self.strict.report_progress(job_id, 1)
        self.assertEqual(raised.exception.status, 409)

    def test_report_event_is_idempotent_by_event_id(self) -> None:
        event_id = new_id()
        data = {"disk_path": "/data", "disk_used_percent": 97.5}
        first = self.alerts.report_event("disk_warning", data=data, event_id=event_id)
        again = self.alerts.report_event("disk_warning", data=data, event_id=event_id)
        self.assertEqual(first, {"event_id": event_id, "duplicate": False})
        self.assertEqual(again, {"event_id": event_id, "duplicate": True})

    def test_an_invalid_event_reports_the_fields_at_fault(self) -> None:
        with self.assertRaises(TrainingAlertsError) as raised:
            self.strict.report_event("disk_warning", data={"disk_path": "/data"})
        self.assertEqual(raised.exception.status, 422)
        self.assertIn("data.disk_used_percent", [e["path"] for e in raised.exception.errors])

    def test_report_logs_recognises_a_cuda_out_of_memory_error(self) -> None:
        job_id = new_id()
        self.alerts.report_status(job_id, "running", model_name="llama-70b")
        quiet = self.strict.report_logs(job_id, ["epoch 1", "step 10 loss 1.93"])
        self.assertEqual(quiet and quiet["oom"], False)
        lines = [f"step {i} loss 1.5" for i in range(1500)] + [
            "Traceback (most recent call last):",
            "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. "
            "GPU 0 has a total capacity of 79.15 GiB of which 1.06 GiB is free.",
        ]
        answer = self.strict.report_logs(job_id, lines)
        assert answer is not None
        self.assertTrue(answer["oom"])
        self.assertIn("event_id", answer)

    def test_hugging_face_callback_reports_the_run_of_a_trainer(self) -> None:
        job_id = new_id()
        callback = TrainingAlertsCallback(self.alerts, job_id, every=2, model_name="gpt2-finetune")
        args, control = SimpleNamespace(), SimpleNamespace()
        state = SimpleNamespace(global_step=0, max_steps=4, is_world_process_zero=True)
        # The events a transformers Trainer sends, in its order.
        callback.on_init_end(args, state, control)
        callback.on_train_begin(args, state, control, model=None)
        self.assertEqual(callback.last_response and callback.last_response["status"], "running")
        self.assertEqual(callback.last_response and callback.last_response["total_steps"], 4)
        for step in range(1, 5):
            callback.on_step_begin(args, state, control)
            state.global_step = step
            callback.on_step_end(args, state, control)
            if step == 2:
                self.assertEqual(callback.last_response and callback.last_response["current_step"], 2)
            callback.on_log(args, state, control, logs={"loss": 1.0 / step, "learning_rate": 5e-5})
        callback.on_epoch_end(args, state, control)
        callback.on_train_end(args, state, control)
        final = callback.last_response
        assert final is not None
        self.assertEqual((final["status"], final["current_step"], final["loss"]), ("completed", 4, 0.25))

    def test_the_job_callback_reports_progress_and_the_block_the_end(self) -> None:
        with self.alerts.job(model_name="gpt2") as job:
            callback = job.hf_callback(every=1)
            state = SimpleNamespace(global_step=0, max_steps=2, is_world_process_zero=True)
            callback.on_train_begin(None, state, None)
            for step in (1, 2):
                state.global_step = step
                callback.on_log(None, state, None, logs={"loss": 0.5 * step})
                callback.on_step_end(None, state, None)
            callback.on_train_end(None, state, None)
        assert job.result is not None
        self.assertEqual((job.result["status"], job.result["current_step"], job.result["loss"]), ("completed", 2, 1.0))

    def test_other_processes_of_a_distributed_run_stay_quiet(self) -> None:
        callback = TrainingAlertsCallback(self.strict, new_id(), every=1)
        state = SimpleNamespace(global_step=1, max_steps=2, is_world_process_zero=False)
        callback.on_train_begin(None, state, None)
        callback.on_step_end(None, state, None)
        callback.on_train_end(None, state, None)
        self.assertIsNone(callback.last_response)


Reply = Tuple[int, Dict[str, str], bytes]


class ScriptedServer:
    """A real local HTTP server answering requests from a script, recording them."""

    def __init__(self, script: Callable[[int], Optional[Reply]]) -> None:
        self.requests: List[Dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                outer.requests.append({"method": self.command, "path": self.path, "body": json.loads(body or b"null")})
                reply = script(len(outer.requests) - 1)
                if reply is None:  # hang up without an answer
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                status, headers, payload = reply
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_POST = do_PUT = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def accepted(n: int) -> Reply:
    return 202, {}, json.dumps({"event_id": "e", "duplicate": False}).encode()


def unavailable(retry_after: str) -> Reply:
    body = {"status": 503, "title": "Service unavailable", "detail": "The database is not reachable right now."}
    return 503, {"Retry-After": retry_after, "Content-Type": "application/problem+json"}, json.dumps(body).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RetryTest(unittest.TestCase):
    user = "3f2b8c1e-4d5a-4b6c-9d7e-1a2b3c4d5e6f"

    def client(self, url: str, **options: Any) -> Tuple[TrainingAlerts, List[float]]:
        sleeps: List[float] = []
        return TrainingAlerts(url, "key", self.user, timeout=5, sleep=sleeps.append, **options), sleeps

    def serve(self, script: Callable[[int], Optional[Reply]]) -> ScriptedServer:
        server = ScriptedServer(script)
        self.addCleanup(server.close)
        return server

    def test_retries_a_503_honouring_retry_after_with_the_same_event_id(self) -> None:
        server = self.serve(lambda n: unavailable("3") if n == 0 else accepted(n))
        alerts, sleeps = self.client(server.url)
        answer = alerts.report_event("job_started", job_id=str(uuid.uuid4()), data={})
        self.assertEqual(answer, {"event_id": "e", "duplicate": False})
        self.assertEqual(len(server.requests), 2)
        self.assertEqual(server.requests[0]["body"]["event_id"], server.requests[1]["body"]["event_id"])
        self.assertEqual(len(sleeps), 1)
        self.assertGreaterEqual(sleeps[0], 3)

    def test_backs_off_exponentially_and_gives_up_without_raising(self) -> None:
        server = self.serve(lambda n: (500, {}, b"{}"))
        alerts, sleeps = self.client(server.url, retries=3, backoff=1, max_backoff=30)
        with self.assertLogs("training_alerts", "WARNING") as logs:
            self.assertIsNone(alerts.report_status(str(uuid.uuid4()), "running"))
        self.assertEqual(len(server.requests), 4)
        self.assertEqual(len(sleeps), 3)
        for attempt, wait in enumerate(sleeps, start=1):
            step = 2 ** (attempt - 1)
            self.assertTrue(step / 2 <= wait <= step, (attempt, wait))
        self.assertIn("after 4 tries", logs.output[-1])

    def test_a_dead_server_never_raises_into_training_and_progress_stops_waiting_for_it(self) -> None:
        alerts, sleeps = self.client(f"http://127.0.0.1:{free_port()}", retries=2)
        with self.assertLogs("training_alerts", "WARNING"):
            self.assertIsNone(alerts.report_event("job_started", job_id=str(uuid.uuid4())))
        self.assertEqual(len(sleeps), 2)
        with self.assertLogs("training_alerts", "DEBUG") as logs:
            self.assertIsNone(alerts.report_progress(str(uuid.uuid4()), 10, loss=1.0))
        self.assertIn("skipped", logs.output[-1])
        strict, _ = self.client(f"http://127.0.0.1:{free_port()}", retries=0, raise_errors=True)
        with self.assertRaises(TrainingAlertsError) as raised:
            strict.report_event("job_started", job_id=str(uuid.uuid4()))
        self.assertIsNone(raised.exception.status)

    def test_a_hang_up_is_retried(self) -> None:
        server = self.serve(lambda n: None if n == 0 else accepted(n))
        alerts, sleeps = self.client(server.url)
        self.assertEqual(alerts.report_event("job_started", job_id=str(uuid.uuid4())), {"event_id": "e", "duplicate": False})
        self.assertEqual(len(sleeps), 1)

    def test_a_rejected_request_is_not_retried(self) -> None:
        body = {"status": 422, "title": "Validation failed", "detail": "The body is invalid.", "errors": [{"path": "type", "message": "must be one of …"}]}
        server = self.serve(lambda n: (422, {}, json.dumps(body).encode()))
        alerts, sleeps = self.client(server.url, raise_errors=True)
        with self.assertRaises(TrainingAlertsError) as raised:
            alerts.report_event("job_started", job_id=str(uuid.uuid4()))
        self.assertEqual((raised.exception.status, raised.exception.errors), (422, body["errors"]))
        self.assertEqual((len(server.requests), sleeps), (1, []))

    def test_logs_are_split_into_requests_the_api_accepts(self) -> None:
        server = self.serve(lambda n: (200, {}, json.dumps({"oom": n == 1}).encode()))
        alerts, _ = self.client(server.url)
        answer = alerts.report_logs(str(uuid.uuid4()), [f"line {i}" for i in range(2500)] + ["x" * 20000])
        self.assertEqual(answer, {"oom": True})
        sizes = [len(r["body"]["lines"]) for r in server.requests]
        self.assertEqual(sum(sizes), 2501)
        self.assertTrue(all(size <= 1000 for size in sizes), sizes)
        self.assertEqual(len(server.requests[-1]["body"]["lines"][-1]), 16000)

    def test_values_from_numpy_or_torch_and_nan_losses_are_sent_as_json(self) -> None:
        server = self.serve(lambda n: (200, {}, b"{}"))
        alerts, _ = self.client(server.url)

        class Scalar:
            def __init__(self, value: float) -> None:
                self.value = value

            def item(self) -> float:
                return self.value

        alerts.report_progress(str(uuid.uuid4()), Scalar(12), loss=Scalar(float("nan")))
        alerts.report_status(str(uuid.uuid4()), "running", loss=float("inf"), total_steps=100.0)
        # JSON has no NaN: non-finite losses go as the words the API takes (it raises loss_diverged).
        self.assertEqual(server.requests[0]["body"], {"current_step": 12, "loss": "nan"})
        self.assertEqual(server.requests[1]["body"]["loss"], "inf")
        self.assertEqual(server.requests[1]["body"]["total_steps"], 100)

    def test_an_unconfigured_client_does_nothing(self) -> None:
        with self.assertLogs("training_alerts", "WARNING"):
            alerts = TrainingAlerts(None, None, None)
        self.assertFalse(alerts.enabled)
        with alerts.job(model_name="m") as job:
            self.assertIsNone(job.progress(1))
        self.assertIsNone(job.result)


if __name__ == "__main__":
    unittest.main()
