"""The architecture contract of docs/architecture.md holds: no lower layer imports a higher one.

The contract is in pyproject.toml ([tool.importlinter]); this runs it with the unit tests, so
`make test` and CI fail on a new upward import.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LINT = (
    "import sys; from importlinter.cli import lint_imports; "
    "sys.exit(lint_imports(no_cache=True, no_logo=True))"
)


def _lint(project: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.fspath(project)}
    return subprocess.run([sys.executable, "-c", LINT], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)


def test_no_lower_layer_imports_a_higher_one():
    result = _lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_contract_catches_an_upward_import(tmp_path):
    """Not vacuous: a copy of the project where reviews imports orr or notifications, or the
    outbound webhooks (which reviews emits into) import notifications, breaks the contract."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    project = tmp_path / "project"
    for package in config["tool"]["importlinter"]["root_packages"]:
        shutil.copytree(REPO / package, project / package,
                        ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    shutil.copy(REPO / "pyproject.toml", project / "pyproject.toml")
    upward = {
        "reviews/forms.py": "from orr import models as upward",
        "reviews/selectors.py": "from notifications import services as upward",
        "integrations/tasks.py": "from notifications.services import notify",
    }
    for path, line in upward.items():
        with (project / path).open("a", encoding="utf-8") as module:
            module.write(f"\n{line}  # noqa\n")
    result = _lint(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "reviews.forms -> orr.models" in result.stdout
    assert "reviews.selectors -> notifications.services" in result.stdout
    assert "integrations.tasks -> notifications.services" in result.stdout
