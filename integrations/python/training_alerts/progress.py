"""Progress read from what training frameworks print, for the command wrapper.

``parse_line(text)`` answers a :class:`Progress` with whatever one line (or
one carriage-return segment of a progress bar) tells: the step, the total
steps, the loss. It understands

- the Hugging Face Trainer's log dicts: ``{'loss': 0.81, 'learning_rate': 4e-05, 'epoch': 1.2}``;
- tqdm bars: `` 45%|████▌     | 123/5000 [00:10<06:40, 12.2it/s, loss=1.23]``;
- PyTorch Lightning's bar: ``Epoch 2:  45%|████▌ | 45/100 [00:05<00:06, v_num=0, train_loss=0.823]``
  (the step counts across epochs: epoch × batches + batch);
- plain lines: ``step 120 loss 1.92``, ``Step 120/5000 | loss: 1.92``, ``iter 120, loss=nan``.

NaN and infinities are kept (as floats): they are what ``loss_diverged`` is for.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Optional

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf(?:inity)?)"

_HF_LOSS = re.compile(r"""['"](?:train_)?loss['"]\s*:\s*['"]?(""" + _NUMBER + r""")['"]?""", re.I)
_HF_DICT = re.compile(r"\{\s*['\"][\w/.-]+['\"]\s*:")
_BAR = re.compile(r"(?<![\d/.])(\d+)/(\d+)\s*\[")
# Bars of other work than training steps (datasets, downloads, checkpoints, evaluation).
_OTHER_BAR = re.compile(
    r"map|filter|load|download|fetch|token|generat|sav|writ|eval|valid|test|predict|shard|resolv|extract|upload",
    re.I,
)
_LIGHTNING_EPOCH = re.compile(r"^\s*Epoch\s+(\d+)\s*:")
_BAR_LOSS = re.compile(r"(?:^|[\s,\[|])(?:train_)?loss(?:_step)?=(" + _NUMBER + r")", re.I)
_PLAIN_STEP = re.compile(r"\b(?:global[ _])?(?:step|iter(?:ation)?)\b\s*[:=#]?\s*(\d+)(?:\s*/\s*(\d+))?", re.I)
_PLAIN_LOSS = re.compile(r"(?:^|[^\w.])(?:train[ _])?loss\b\s*[:=]?\s*(" + _NUMBER + r")(?![\w.])", re.I)


@dataclass
class Progress:
    step: Optional[int] = None
    total: Optional[int] = None
    loss: Optional[float] = None
    #: "hf", "bar", "lightning" or "plain": a bar's total tells the training bar from others.
    source: str = ""

    def __bool__(self) -> bool:
        return self.step is not None or self.total is not None or self.loss is not None


def _float(text: str) -> Optional[float]:
    try:
        return float(text)
    except ValueError:
        return None


def parse_line(text: str) -> Progress:
    """What one printed line says about progress; an empty Progress when nothing."""
    found = Progress()
    if _HF_DICT.search(text):
        match = _HF_LOSS.search(text)
        if match:
            found.loss = _float(match.group(1))
            found.source = "hf"
        return found
    bar = _BAR.search(text)
    if bar and not _OTHER_BAR.search(text[: bar.start()]):
        done, total = int(bar.group(1)), int(bar.group(2))
        epoch = _LIGHTNING_EPOCH.match(text)
        if epoch:
            # Lightning's bar restarts every epoch: count batches across epochs.
            found.step = int(epoch.group(1)) * total + done
            found.source = "lightning"
        else:
            found.step, found.total = done, total
            found.source = "bar"
        loss = _BAR_LOSS.search(text)
        if loss:
            found.loss = _float(loss.group(1))
        return found
    step = _PLAIN_STEP.search(text)
    loss = _PLAIN_LOSS.search(text)
    if step and loss:
        found.source = "plain"
        found.step = int(step.group(1))
        if step.group(2):
            found.total = int(step.group(2))
        found.loss = _float(loss.group(1))
    elif step and re.search(r"\bloss\b", text, re.I) is None and re.match(r"^\s*(?:global[ _])?(?:step|iter)", text, re.I):
        # "step 120/5000" alone, at the start of a line.
        found.source = "plain"
        found.step = int(step.group(1))
        if step.group(2):
            found.total = int(step.group(2))
    return found


def is_finite(value: Optional[float]) -> bool:
    return value is None or math.isfinite(value)
