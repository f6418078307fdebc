"""The warm runner: imports torch, transformers and the target once, then forks a child per job.

Run as `python -m conformance.runner.server TARGET_JSON`. It reads one JSON request per
line on stdin and writes one JSON response per line on its original stdout; everything
else it or its children print goes to stderr or to the job's log file. It never runs a
tensor operation or touches CUDA itself, so forked children start from a clean state
(GNU OpenMP and CUDA are not fork-safe once used).
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import signal
import sys
import time
from typing import Any, TextIO

OFFLINE_ENVIRONMENT = {
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "WANDB_MODE": "disabled",
    "HF_HUB_DISABLE_TELEMETRY": "1",
}


def alias_reference(package_name: str = "reference") -> None:
    """Make `sentence_transformers.X` resolve to `reference.X` for every submodule."""
    package = importlib.import_module(package_name)
    for info in pkgutil.walk_packages(package.__path__, package_name + "."):
        importlib.import_module(info.name)
    for name, module in list(sys.modules.items()):
        if name == package_name or name.startswith(package_name + "."):
            sys.modules["sentence_transformers" + name[len(package_name):]] = module


def import_target(target: dict[str, Any]) -> dict[str, Any]:
    """Import the target package (aliased when it is the reference) and describe it."""
    module_name = target["module"]
    if module_name == "reference":
        alias_reference()
    module = importlib.import_module(module_name)
    return {
        "name": target.get("name", module_name),
        "version": getattr(module, "__version__", "unknown"),
        "path": os.path.dirname(getattr(module, "__file__", "") or ""),
    }


def library_versions() -> dict[str, str]:
    import platform

    versions = {"python": platform.python_version()}
    for name in ("torch", "transformers", "datasets", "accelerate", "numpy"):
        try:
            versions[name] = importlib.import_module(name).__version__
        except ImportError:
            versions[name] = "not installed"
    return versions


def wait_for_child(pid: int, timeout: float) -> tuple[str, int | None]:
    """Wait for a child; kill its process group once `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        finished, status = os.waitpid(pid, os.WNOHANG)
        if finished:
            return ("exited", os.waitstatus_to_exitcode(status))
        if time.monotonic() > deadline:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            return ("timeout", None)
        time.sleep(0.02)


def serve(protocol: TextIO) -> None:
    from . import child

    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        if request.get("job") == "stop":
            break
        pid = os.fork()
        if pid == 0:
            os.setpgid(0, 0)
            code = 1
            try:
                code = child.main(request)
            finally:
                os._exit(code)
        status, code = wait_for_child(pid, float(request.get("timeout", 600)))
        protocol.write(json.dumps({"id": request.get("id"), "status": status, "exit_code": code}) + "\n")
        protocol.flush()


def main() -> int:
    target = json.loads(sys.argv[1])
    protocol = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    os.environ.update(OFFLINE_ENVIRONMENT)
    try:
        import numpy  # noqa: F401
        import scipy.stats  # noqa: F401
        import torch  # noqa: F401
        import transformers  # noqa: F401
        import datasets  # noqa: F401

        info = import_target(target)
        # Loaded here so children do not pay for them; both are imported by every invocation.
        import conformance.runner.child  # noqa: F401
        import conformance.fixtures.models  # noqa: F401
    except BaseException as error:  # any import failure is reported to the harness as data
        message = f"{type(error).__name__}: {error}"
        protocol.write(json.dumps({"ready": False, "error": message}) + "\n")
        protocol.flush()
        return 1
    protocol.write(json.dumps({"ready": True, "target": info, "versions": library_versions()}) + "\n")
    protocol.flush()
    serve(protocol)
    return 0


if __name__ == "__main__":
    sys.exit(main())
