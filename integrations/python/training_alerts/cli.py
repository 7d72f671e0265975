"""``training-alerts`` / ``python -m training_alerts``: the command line."""

from __future__ import annotations

import argparse
import sys
import uuid
from typing import List, Optional, Sequence

from . import __version__

USAGE = "training-alerts run [--name NAME] [--group GROUP] [--job-id UUID] [--total-steps N] -- CMD [ARGS…]"

EPILOG = """\
Reports to ALERTS_URL with ALERTS_API_KEY (a personal key, tak_…, from Settings → API keys),
or with ALERTS_SERVICE_KEY and ALERTS_USER_ID. Without them the command runs unreported.

example:
  export ALERTS_URL=https://alerts.example.com ALERTS_API_KEY=tak_…
  training-alerts run --name llama-8b-sft -- python train.py --lr 3e-4
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="training-alerts",
        description="Run a training command and tell Training Alerts how it goes.",
        usage=USAGE,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"training-alerts {__version__}")
    sub = parser.add_subparsers(dest="action", metavar="run")
    run = sub.add_parser("run", help="run CMD and report it", usage=USAGE, epilog=EPILOG,
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("--name", help="the job's model_name in alerts (default: the script, e.g. train.py)")
    run.add_argument("--group", help="a group label (a sweep, a project): the job's metadata.group")
    run.add_argument("--job-id", help="the job's id, a UUID (default: a new one; the same on every rank)")
    run.add_argument("--total-steps", type=int, help="total training steps (else read from a progress bar)")
    run.add_argument(
        "--progress-every",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="report progress at most this often (default 30; a NaN loss is reported at once)",
    )
    run.add_argument("command", nargs=argparse.REMAINDER, help="the command to run, after --")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args: List[str] = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    command: List[str] = []
    if "--" in args:
        cut = args.index("--")
        args, command = args[:cut], args[cut + 1 :]
    options = parser.parse_args(args)
    if options.action != "run":
        parser.print_help(sys.stderr)
        return 2
    command = command or [c for c in options.command if c != "--"]
    if not command:
        parser.error("no command to run: put it after --, e.g. training-alerts run -- python train.py")
    if options.job_id is not None:
        try:
            if len(options.job_id) != 36:
                raise ValueError
            options.job_id = str(uuid.UUID(options.job_id))
        except ValueError:
            parser.error(f"--job-id must be a UUID such as 3f2b8c1e-4d5a-4b6c-9d7e-1a2b3c4d5e6f, not {options.job_id!r}")
    if options.total_steps is not None and options.total_steps < 0:
        parser.error("--total-steps must not be negative")

    from .wrapper import CommandWrapper, configure_logging

    configure_logging()
    wrapper = CommandWrapper(
        command,
        name=options.name,
        group=options.group,
        job_id=options.job_id,
        total_steps=options.total_steps,
        progress_every=options.progress_every,
    )
    return wrapper.run()


if __name__ == "__main__":
    sys.exit(main())
