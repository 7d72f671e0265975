"""Training Alerts client for training servers: standard library only, Python 3.9+.

Reports job status, progress, log lines and events to a Training Alerts server
with a personal producer key (``tak_…``, Settings → API keys) or the service
key, so the job's owner hears when training starts, finishes, fails, runs out
of GPU memory, stalls or its loss turns NaN. No code at all: wrap the command::

    training-alerts run --name mistral-7b -- python train.py   # ALERTS_URL, ALERTS_API_KEY

(see ``training_alerts.wrapper``). Or three lines in a training script::

    from training_alerts import TrainingAlerts
    alerts = TrainingAlerts.from_env()   # ALERTS_URL + ALERTS_API_KEY (or ALERTS_SERVICE_KEY + ALERTS_USER_ID)
    with alerts.job(job_id, model_name="mistral-7b", total_steps=5000) as job:
        train()                          # your existing code, indented

Entering the block reports the job ``running``; leaving it normally reports
``completed``, an exception reports ``failed`` with the formatted traceback
(and the exception goes on as before), Ctrl-C reports ``cancelled``.

Reporting never breaks training: network errors, 5xx and 429 answers are
retried a bounded number of times with exponential backoff and jitter
(honouring ``Retry-After``); whatever still fails is logged on the
``training_alerts`` logger and the call returns ``None``. Pass
``raise_errors=True`` to get a :class:`TrainingAlertsError` instead. Each
``report_*`` call returns the server's parsed JSON answer on success.
"""

from __future__ import annotations

import functools
import http.client
import json
import logging
import math
import os
import random
import time
import traceback
import urllib.error
import urllib.request
import uuid
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

__all__ = [
    "JobReporter",
    "TrainingAlerts",
    "TrainingAlertsCallback",
    "TrainingAlertsError",
]
__version__ = "0.2.0"

# A personal producer key; it acts as its owner, so no user id is needed.
PRODUCER_KEY_PREFIX = "tak_"

log = logging.getLogger("training_alerts")

JOB_STATUSES = ("queued", "running", "completed", "failed", "cancelled")
EVENT_TYPES = (
    "job_started",
    "job_completed",
    "job_failed",
    "job_cancelled",
    "gpu_oom",
    "disk_warning",
    "timeout_warning",
)
# Fields PUT /api/training/jobs/{id} takes; any other keyword goes into metadata.
JOB_FIELDS = ("model_name", "current_step", "total_steps", "loss", "error", "gpu_count", "metadata")

# The API's limits: 1000 lines and 64 KiB per request, 16384 characters per
# line, 20000 characters of error text (counted in UTF-16 units, hence margin).
MAX_LOG_LINES = 1000
MAX_BATCH_BYTES = 60_000
MAX_LINE_CHARS = 16_000
MAX_ERROR_CHARS = 19_000

_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# After a request could not reach the server at all, progress and log reports
# are skipped for this long rather than slowing every training step.
_COOLDOWN_SECONDS = 30.0


class TrainingAlertsError(Exception):
    """A report the server did not accept (only raised with ``raise_errors=True``).

    ``status`` is the HTTP status (None when the server was unreachable),
    ``detail`` and ``errors`` come from the problem+json answer.
    """

    def __init__(
        self,
        message: str,
        status: Optional[int] = None,
        detail: Optional[str] = None,
        errors: Optional[List[Dict[str, Any]]] = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail
        self.errors = errors or []


def _guarded(method):
    """Keeps an unexpected error (a bug, an odd value) out of the training loop."""

    @functools.wraps(method)
    def wrapper(self: "TrainingAlerts", *args: Any, **kwargs: Any):
        try:
            return method(self, *args, **kwargs)
        except TrainingAlertsError:
            raise
        except Exception as error:  # noqa: BLE001 - reporting must never stop training
            if self.raise_errors:
                raise
            log.exception("Training Alerts: %s failed unexpectedly: %s", method.__name__, error)
            return None

    return wrapper


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect would turn a POST into a GET somewhere else; report it instead.
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D401
        return None


class TrainingAlerts:
    """A client for the Training Alerts producer API.

    Args:
        url: base URL of the server, e.g. ``http://alerts.internal:3000``.
            ``None`` or empty disables the client: every call logs once and
            returns ``None`` (so a script runs unchanged where alerts are not
            configured).
        service_key: a personal producer key (``tak_…``, created under
            Settings → API keys), or the server's ``ALERTS_SERVICE_KEY``.
        user_id: UUID of the user whose alerts these are; needed with the
            service key only (a producer key acts as its owner).
        timeout: seconds per request. Default 10.
        retries: further tries after a failed one (connection error, 408, 429,
            5xx) for status, event and log reports. Progress is sent once: the
            next progress report supersedes it. Default 3.
        backoff: first wait in seconds, doubled per retry with jitter, at most
            ``max_backoff``; a ``Retry-After`` answer is honoured up to
            ``max_backoff``. Defaults 0.5 and 30.
        raise_errors: raise :class:`TrainingAlertsError` instead of logging
            and returning ``None``. Default False.
        sleep: how to wait between retries; tests pass a recorder. Default
            ``time.sleep``.
    """

    def __init__(
        self,
        url: Optional[str],
        service_key: Optional[str],
        user_id: Optional[str],
        timeout: float = 10,
        *,
        retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        raise_errors: bool = False,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = (url or "").rstrip("/")
        self.service_key = service_key or ""
        self.user_id = str(user_id or "")
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.raise_errors = raise_errors
        self._sleep = sleep
        self._down_until = 0.0
        self._opener = urllib.request.build_opener(_NoRedirect)
        self.producer_key = self.service_key.startswith(PRODUCER_KEY_PREFIX)
        required = [("url", self.url), ("api_key", self.service_key)]
        if self.service_key and not self.producer_key:
            required.append(("user_id", self.user_id))
        missing = [name for name, value in required if not value]
        self.enabled = not missing
        if missing:
            log.warning("Training Alerts disabled: %s not set; nothing will be reported", ", ".join(missing))
        elif self.user_id and not _is_uuid(self.user_id):
            message = f"user_id must be a UUID such as 3f2b8c1e-4d5a-4b6c-9d7e-1a2b3c4d5e6f, got {self.user_id!r}"
            if raise_errors:
                raise ValueError(message)
            log.error("Training Alerts disabled: %s", message)
            self.enabled = False

    @classmethod
    def from_env(cls, user_id: Optional[str] = None, **options: Any) -> "TrainingAlerts":
        """A client from ``ALERTS_URL`` and ``ALERTS_API_KEY`` (a producer key), or
        ``ALERTS_SERVICE_KEY`` and ``ALERTS_USER_ID`` (``user_id`` overrides the
        last). Missing variables give a disabled client."""
        api_key = os.environ.get("ALERTS_API_KEY")
        return cls(
            os.environ.get("ALERTS_URL"),
            api_key or os.environ.get("ALERTS_SERVICE_KEY"),
            user_id or (None if api_key else os.environ.get("ALERTS_USER_ID")),
            **options,
        )

    # -- reports ---------------------------------------------------------------

    @_guarded
    def report_status(self, job_id: Any, status: str, **fields: Any) -> Optional[Dict[str, Any]]:
        """Creates or updates the job (``PUT /api/training/jobs/{id}``) and answers the job row.

        ``fields``: ``model_name``, ``current_step``, ``total_steps``, ``loss``,
        ``error``, ``gpu_count``, ``metadata``; any other keyword is stored in
        ``metadata``. A status change raises the matching alert on the server;
        an illegal change (``completed`` → ``running``) is a 409.
        """
        if status not in JOB_STATUSES:
            return self._fail(f"status must be one of {', '.join(JOB_STATUSES)}, not {status!r}")
        path = self._job_path(job_id)
        if path is None:
            return self._fail(f"job_id must be a UUID, got {job_id!r}")
        body: Dict[str, Any] = {"status": status}
        if self.user_id:
            body["user_id"] = self.user_id
        extra: Dict[str, Any] = {}
        for name, value in fields.items():
            if name in JOB_FIELDS:
                body[name] = value
            else:
                extra[name] = value
        if extra:
            body["metadata"] = {**(body.get("metadata") or {}), **extra}
        if isinstance(body.get("error"), str):
            body["error"] = _clip_error(body["error"])
        for name in ("current_step", "total_steps", "gpu_count"):
            if body.get(name) is not None:
                body[name] = _whole(body[name])
        if "loss" in body:
            body["loss"] = _loss(body["loss"])
        return self._send("PUT", path, body, retry=True)

    @_guarded
    def report_progress(self, job_id: Any, step: int, loss: Any = None) -> Optional[Dict[str, Any]]:
        """Records progress of a running job (re-arming its stall watch); answers the job row.

        Sent once, without retries, and skipped for a while after the server
        was unreachable: the next progress report supersedes this one, and
        training should not wait for it.
        """
        path = self._job_path(job_id, "/progress")
        if path is None:
            return self._fail(f"job_id must be a UUID, got {job_id!r}")
        body: Dict[str, Any] = {"current_step": _whole(step)}
        # NaN and infinities go as "nan", "inf", "-inf": the server raises
        # loss_diverged (once per job) and keeps the last finite loss.
        if _loss(loss) is not None:
            body["loss"] = _loss(loss)
        return self._send("POST", path, body, retry=False)

    @_guarded
    def report_event(
        self,
        type: str,
        job_id: Any = None,
        data: Optional[Mapping[str, Any]] = None,
        event_id: Optional[str] = None,
    ) -> Optional[Dict[str, Any]]:
        """Posts an event (``POST /api/alerts/events``); answers ``{"event_id", "duplicate"}``.

        ``event_id`` (a UUID) makes retries safe: the server answers a repeat
        with ``duplicate: true`` and alerts nobody twice. One is generated
        when not given. ``disk_warning`` needs ``data.disk_path`` and
        ``data.disk_used_percent``.
        """
        event_id = str(event_id or uuid.uuid4())
        body: Dict[str, Any] = {"event_id": event_id, "type": type, "data": dict(data or {})}
        if self.user_id:
            body["user_id"] = self.user_id
        if job_id is not None:
            body["job_id"] = str(job_id)
        return self._send("POST", "/api/alerts/events", body, retry=True)

    @_guarded
    def report_logs(self, job_id: Any, lines: Union[str, Iterable[str]]) -> Optional[Dict[str, Any]]:
        """Sends log lines to be checked for out-of-memory errors (``POST …/logs``).

        ``lines`` is a string (split into lines) or an iterable of lines; it is
        sent in as many requests as the API's limits need. Answers
        ``{"oom": bool, "signature"?, "event_id"?}``: the first answer that
        found an out-of-memory error, else the last one; ``None`` if none
        got through.
        """
        path = self._job_path(job_id, "/logs")
        if path is None:
            return self._fail(f"job_id must be a UUID, got {job_id!r}")
        if isinstance(lines, str):
            lines = lines.splitlines()
        answer: Optional[Dict[str, Any]] = None
        for batch in _batches(str(line) for line in lines):
            result = self._send("POST", path, {"lines": batch}, retry=True, skip_when_down=True)
            if result is None:
                continue
            if answer is None or not answer.get("oom"):
                answer = result
        return answer

    def job(
        self,
        job_id: Any = None,
        model_name: Optional[str] = None,
        total_steps: Optional[int] = None,
        **fields: Any,
    ) -> "JobReporter":
        """A context manager reporting the job's life: running on enter, then
        completed, failed (with the traceback) or cancelled (KeyboardInterrupt).
        ``job_id`` defaults to a new UUID (``job.id``)."""
        if model_name is not None:
            fields["model_name"] = model_name
        if total_steps is not None:
            fields["total_steps"] = total_steps
        return JobReporter(self, str(job_id or uuid.uuid4()), fields)

    # -- transport -------------------------------------------------------------

    def _job_path(self, job_id: Any, suffix: str = "") -> Optional[str]:
        job = str(job_id)
        return f"/api/training/jobs/{job}{suffix}" if _is_uuid(job) else None

    def _send(
        self,
        method: str,
        path: str,
        body: Dict[str, Any],
        *,
        retry: bool,
        skip_when_down: Optional[bool] = None,
    ) -> Optional[Dict[str, Any]]:
        if not self.enabled:
            return None
        if skip_when_down is None:
            skip_when_down = not retry
        if skip_when_down and time.monotonic() < self._down_until:
            log.debug("Training Alerts unreachable recently; skipped %s %s", method, path)
            return None
        data = json.dumps(_jsonable(body), allow_nan=False).encode("utf-8")
        attempts = 1 + (self.retries if retry else 0)
        for attempt in range(1, attempts + 1):
            request = urllib.request.Request(
                self.url + path,
                data=data,
                method=method,
                headers={
                    "Authorization": f"Bearer {self.service_key}",
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                    "User-Agent": f"training-alerts-python/{__version__}",
                },
            )
            retry_after: Optional[float] = None
            try:
                with self._opener.open(request, timeout=self.timeout) as response:
                    text = response.read().decode("utf-8", "replace")
                self._down_until = 0.0
                try:
                    return json.loads(text) if text.strip() else {}
                except ValueError:
                    return self._fail(
                        f"{method} {path}: answered {response.status} with a body that is not JSON;"
                        f" is {self.url} the Training Alerts server?",
                        status=response.status,
                    )
            except urllib.error.HTTPError as error:
                problem = _problem(error)
                if error.code not in _RETRY_STATUSES:
                    hint = ""
                    if error.code in (401, 403):
                        hint = (
                            " (check the producer key: create one under Settings → API keys)"
                            if self.producer_key
                            else " (check the service key: the server's ALERTS_SERVICE_KEY)"
                        )
                    elif 300 <= error.code < 400:
                        hint = f" (a redirect to {error.headers.get('Location')}; use that address as url)"
                    return self._fail(
                        f"{method} {path}: {_describe(error.code, problem)}{hint}",
                        status=error.code,
                        detail=problem.get("detail"),
                        errors=problem.get("errors"),
                    )
                failure = _describe(error.code, problem)
                status: Optional[int] = error.code
                retry_after = _retry_after(error.headers.get("Retry-After"))
            except (OSError, ValueError, http.client.HTTPException) as error:  # refused, timeouts, resets, garbage
                failure = f"could not reach {self.url}: {getattr(error, 'reason', None) or error}"
                status = None
            if attempt < attempts:
                wait = self._delay(attempt, retry_after)
                log.info("Training Alerts %s %s failed (%s); retry %d in %.1fs", method, path, failure, attempt, wait)
                self._sleep(wait)
                continue
            if status is None:
                self._down_until = time.monotonic() + _COOLDOWN_SECONDS
            return self._fail(f"{method} {path}: {failure} (after {attempts} tries)", status=status)
        return None  # not reached

    def _delay(self, attempt: int, retry_after: Optional[float]) -> float:
        step = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        wait = step / 2 + random.uniform(0, step / 2)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_backoff))
        return wait

    def _fail(
        self,
        message: str,
        status: Optional[int] = None,
        detail: Optional[str] = None,
        errors: Optional[List[Dict[str, Any]]] = None,
    ) -> None:
        if self.raise_errors:
            raise TrainingAlertsError(message, status=status, detail=detail, errors=errors)
        log.warning("Training Alerts: %s", message)
        return None


class JobReporter:
    """What ``alerts.job(...)`` returns; use it as a context manager.

    Attributes: ``id`` (the job id), ``started`` (the server's answer to the
    ``running`` report), ``result`` (its answer to the final report), ``step``
    and ``loss`` (the last reported progress, sent again with the final status).
    """

    def __init__(self, alerts: TrainingAlerts, job_id: str, fields: Dict[str, Any]) -> None:
        self.alerts = alerts
        self.id = job_id
        self.fields = fields
        self.step: Optional[int] = None
        self.loss: Union[float, str, None] = None
        self.started: Optional[Dict[str, Any]] = None
        self.result: Optional[Dict[str, Any]] = None

    def __enter__(self) -> "JobReporter":
        self.started = self.alerts.report_status(self.id, "running", **self.fields)
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        final: Dict[str, Any] = {}
        if self.step is not None:
            final["current_step"] = self.step
        if self.loss is not None:
            final["loss"] = self.loss
        if exc_type is None or (issubclass(exc_type, SystemExit) and exc.code in (0, None)):
            status = "completed"
        elif issubclass(exc_type, KeyboardInterrupt):
            status = "cancelled"
            final["error"] = "Interrupted (KeyboardInterrupt)"
        else:
            status = "failed"
            final["error"] = "".join(traceback.format_exception(exc_type, exc, tb))
        try:
            self.result = self.alerts.report_status(self.id, status, **final)
        except TrainingAlertsError:
            if exc_type is None:
                raise
            # Never let a reporting error replace the exception that ended training.
            log.warning("Training Alerts: could not report %s for job %s", status, self.id, exc_info=True)
        return False

    def progress(self, step: int, loss: Any = None) -> Optional[Dict[str, Any]]:
        """Reports progress (see :meth:`TrainingAlerts.report_progress`)."""
        self.step = _whole(step)
        if loss is not None:
            self.loss = _loss(loss)
        return self.alerts.report_progress(self.id, step, loss)

    def logs(self, lines: Union[str, Iterable[str]]) -> Optional[Dict[str, Any]]:
        """Sends log lines to be checked for out-of-memory errors."""
        return self.alerts.report_logs(self.id, lines)

    def event(self, type: str, data: Optional[Mapping[str, Any]] = None, event_id: Optional[str] = None):
        """Posts an event about this job."""
        return self.alerts.report_event(type, job_id=self.id, data=data, event_id=event_id)

    def hf_callback(self, every: int = 50) -> "TrainingAlertsCallback":
        """A Hugging Face Trainer callback that reports this job's progress
        (the context manager reports its status)::

            trainer.add_callback(job.hf_callback(every=50))
        """
        return TrainingAlertsCallback(self.alerts, self.id, every=every, report_status=False, reporter=self)


class TrainingAlertsCallback:
    """A ``transformers.TrainerCallback`` without importing transformers.

    ``trainer.add_callback(TrainingAlertsCallback(alerts, job_id, every=50))``
    reports ``running`` at the start of training (with ``state.max_steps`` as
    total steps), progress every ``every`` optimizer steps with the last
    logged loss, and ``completed`` at the end. The Trainer calls no callback
    when training raises, so wrap ``trainer.train()`` in ``alerts.job(...)``
    to report failures, and use ``job.hf_callback()`` (``report_status=False``).
    Only the main process (``state.is_world_process_zero``) reports.
    """

    def __init__(
        self,
        alerts: TrainingAlerts,
        job_id: Any,
        every: int = 50,
        model_name: Optional[str] = None,
        report_status: bool = True,
        reporter: Optional[JobReporter] = None,
    ) -> None:
        self.alerts = alerts
        self.job_id = str(job_id)
        self.every = max(1, int(every))
        self.model_name = model_name
        self.report_status = report_status
        self.reporter = reporter
        self.loss: Union[float, str, None] = None
        self.last_response: Optional[Dict[str, Any]] = None
        self._last_step: Optional[int] = None

    def on_train_begin(self, args, state, control, **kwargs):
        if self.report_status and _main_process(state):
            fields: Dict[str, Any] = {}
            if getattr(state, "max_steps", None):
                fields["total_steps"] = state.max_steps
            if self.model_name:
                fields["model_name"] = self.model_name
            self.last_response = self.alerts.report_status(self.job_id, "running", **fields)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not logs:
            return
        for key in ("loss", "train_loss"):
            value = _loss(logs.get(key))
            if value is not None:
                self.loss = value
                if self.reporter is not None:
                    self.reporter.loss = value
                break

    def on_step_end(self, args, state, control, **kwargs):
        step = int(getattr(state, "global_step", 0) or 0)
        if not _main_process(state) or step == self._last_step or step % self.every != 0:
            return
        self._last_step = step
        if self.reporter is not None:
            self.last_response = self.reporter.progress(step, self.loss)
        else:
            self.last_response = self.alerts.report_progress(self.job_id, step, self.loss)

    def on_train_end(self, args, state, control, **kwargs):
        step = int(getattr(state, "global_step", 0) or 0)
        if self.reporter is not None:
            self.reporter.step = step
        if self.report_status and _main_process(state):
            fields: Dict[str, Any] = {"current_step": step}
            if self.loss is not None:
                fields["loss"] = self.loss
            self.last_response = self.alerts.report_status(self.job_id, "completed", **fields)

    def __getattr__(self, name: str):
        # The Trainer calls every event on every callback (on_epoch_begin,
        # on_evaluate, on_save, …, and events added in later versions).
        if name.startswith("on_"):
            return _ignore
        raise AttributeError(name)


def _ignore(*args: Any, **kwargs: Any) -> None:
    return None


def _main_process(state: Any) -> bool:
    value = getattr(state, "is_world_process_zero", True)
    return bool(value() if callable(value) else value)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except (ValueError, TypeError, AttributeError):
        return False
    return len(text) == 36


def _whole(value: Any) -> Any:
    """An int for whole numbers (5, 5.0, numpy ints, one-element tensors); anything else as is,
    for the server to judge."""
    if hasattr(value, "item"):
        try:
            value = value.item()
        except (TypeError, ValueError, RuntimeError):
            return value
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return value
    return number if number == value else value


def _number(value: Any) -> Optional[float]:
    """A JSON-safe float: tensors and numpy scalars unwrapped, NaN and infinities as None."""
    if value is None or isinstance(value, bool):
        return None
    if hasattr(value, "item"):
        try:
            value = value.item()
        except (TypeError, ValueError, RuntimeError):
            return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _loss(value: Any) -> Union[float, str, None]:
    """A loss for the API: a finite float, or "nan", "inf", "-inf" (JSON has no
    NaN); None when it is not a number at all."""
    if value is None or isinstance(value, bool):
        return None
    if hasattr(value, "item"):
        try:
            value = value.item()
        except (TypeError, ValueError, RuntimeError):
            return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number):
        return "nan"
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    return number


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float) or hasattr(value, "item"):
        return _number(value)
    return str(value)


def _clip_error(text: str) -> str:
    # The end of a traceback says what went wrong; keep it, and the start.
    if len(text) <= MAX_ERROR_CHARS:
        return text
    head = text[:2000]
    return head + "\n… (traceback shortened) …\n" + text[-(MAX_ERROR_CHARS - 2100):]


def _batches(lines: Iterable[str]) -> Iterable[List[str]]:
    overhead = len(b'{"lines":[]}')
    batch: List[str] = []
    size = overhead
    for raw in lines:
        line = raw.rstrip("\r\n")[:MAX_LINE_CHARS]
        encoded = len(json.dumps(line).encode("utf-8")) + 1
        while encoded + overhead > MAX_BATCH_BYTES and line:
            line = line[: len(line) // 2]
            encoded = len(json.dumps(line).encode("utf-8")) + 1
        if batch and (len(batch) >= MAX_LOG_LINES or size + encoded > MAX_BATCH_BYTES):
            yield batch
            batch, size = [], overhead
        batch.append(line)
        size += encoded
    if batch:
        yield batch


def _problem(error: urllib.error.HTTPError) -> Dict[str, Any]:
    try:
        body = json.loads(error.read().decode("utf-8", "replace") or "{}")
    except (ValueError, OSError):
        return {}
    return body if isinstance(body, dict) else {}


def _describe(status: int, problem: Mapping[str, Any]) -> str:
    text = f"answered {status}"
    if problem.get("title"):
        text += f" {problem['title']}"
    if problem.get("detail"):
        text += f": {problem['detail']}"
    errors: Sequence[Any] = problem.get("errors") or []
    if errors:
        text += " (" + "; ".join(f"{e.get('path')}: {e.get('message')}" for e in errors if isinstance(e, dict)) + ")"
    return text


def _retry_after(value: Optional[str]) -> Optional[float]:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        from email.utils import parsedate_to_datetime

        when = parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None
