"""A PEP 517 build backend for this package, standard library only.

``pip install ./integrations/python`` must work offline, with
``--no-build-isolation``, on a bare Python 3.9+: setuptools older than 70.1
cannot build a wheel without the separate ``wheel`` package, which a bare
Python lacks. The package is pure Python, so its wheel is a zip of the
``training_alerts`` directory plus the ``.dist-info`` files (PEP 427, PEP 376).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile
from typing import Dict, List, Optional, Tuple

NAME = "training_alerts"
DIST = "training-alerts"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT, NAME)
TAG = "py3-none-any"


def _version() -> str:
    with open(os.path.join(PACKAGE, "__init__.py"), encoding="utf-8") as f:
        match = re.search(r'^__version__ = "([^"]+)"', f.read(), re.M)
    if not match:
        raise RuntimeError("training_alerts/__init__.py has no __version__")
    return match.group(1)


def _metadata() -> str:
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {DIST}\n"
        f"Version: {_version()}\n"
        "Summary: Training Alerts client: report ML training jobs, or wrap any training command\n"
        "Requires-Python: >=3.9\n"
        "Description-Content-Type: text/markdown\n"
        "\n" + readme
    )


def _dist_info_files() -> Dict[str, bytes]:
    return {
        "METADATA": _metadata().encode("utf-8"),
        "WHEEL": (
            "Wheel-Version: 1.0\n"
            "Generator: training_alerts_build\n"
            "Root-Is-Purelib: true\n"
            f"Tag: {TAG}\n"
        ).encode("utf-8"),
        "entry_points.txt": b"[console_scripts]\ntraining-alerts = training_alerts.cli:main\n",
        "top_level.txt": f"{NAME}\n".encode("utf-8"),
    }


def _dist_info() -> str:
    return f"{NAME}-{_version()}.dist-info"


def _package_files() -> List[Tuple[str, str]]:
    files = []
    for name in sorted(os.listdir(PACKAGE)):
        if name.endswith(".py"):
            files.append((f"{NAME}/{name}", os.path.join(PACKAGE, name)))
    return files


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


# -- PEP 517 hooks ----------------------------------------------------------


def get_requires_for_build_wheel(config_settings: Optional[dict] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[dict] = None) -> List[str]:
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: Optional[dict] = None) -> str:
    target = os.path.join(metadata_directory, _dist_info())
    os.makedirs(target, exist_ok=True)
    for name, data in _dist_info_files().items():
        with open(os.path.join(target, name), "wb") as f:
            f.write(data)
    return _dist_info()


def build_wheel(
    wheel_directory: str,
    config_settings: Optional[dict] = None,
    metadata_directory: Optional[str] = None,
) -> str:
    filename = f"{NAME}-{_version()}-{TAG}.whl"
    records = []
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as wheel:
        for arcname, path in _package_files():
            with open(path, "rb") as f:
                data = f.read()
            wheel.writestr(arcname, data)
            records.append(_record_line(arcname, data))
        for name, data in _dist_info_files().items():
            arcname = f"{_dist_info()}/{name}"
            wheel.writestr(arcname, data)
            records.append(_record_line(arcname, data))
        record = f"{_dist_info()}/RECORD"
        wheel.writestr(record, "\n".join(records + [f"{record},,"]) + "\n")
    return filename


def build_sdist(sdist_directory: str, config_settings: Optional[dict] = None) -> str:
    base = f"{NAME}-{_version()}"
    filename = f"{base}.tar.gz"
    members = [("pyproject.toml", os.path.join(ROOT, "pyproject.toml")), ("README.md", os.path.join(ROOT, "README.md"))]
    members.append(("_build/training_alerts_build.py", os.path.abspath(__file__)))
    members += _package_files()
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz", format=tarfile.PAX_FORMAT) as sdist:
        for arcname, path in members:
            sdist.add(path, arcname=f"{base}/{arcname}")
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        data = _metadata().encode("utf-8")
        info.size = len(data)
        sdist.addfile(info, io.BytesIO(data))
    return filename
