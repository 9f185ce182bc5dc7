"""The README, requirements and CI tell the truth about the code."""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import fields
from importlib.metadata import packages_distributions
from pathlib import Path

from geo.config import ENV_PREFIX, PROJECT_ROOT, Settings

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def _python_files(*roots: str) -> list[Path]:
    out: list[Path] = []
    for root in roots:
        path = PROJECT_ROOT / root
        out.extend([path] if path.is_file() else sorted(path.rglob("*.py")))
    return out


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_geo_never_imports_streamlit():
    offenders = [str(p) for p in _python_files("geo") if "streamlit" in _imports(p)]
    assert offenders == []


def _pins(name: str) -> dict[str, str]:
    pins = {}
    for line in (PROJECT_ROOT / name).read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", line.strip())
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def test_every_runtime_import_is_pinned():
    runtime = {**_pins("requirements.txt"), **_pins("requirements-model.txt")}
    dists = packages_distributions()
    local = {"geo", "pages", "app", "ui"}
    missing = []
    for path in _python_files("geo", "app.py", "pages"):
        if not path.exists():
            continue
        for module in _imports(path) - local - set(sys.stdlib_module_names):
            names = {d.lower().replace("_", "-") for d in dists.get(module, [module])}
            if not names & runtime.keys():
                missing.append(f"{path.name}: {module}")
    assert sorted(set(missing)) == []


def test_every_requirement_is_pinned_exactly():
    for name in ("requirements.txt", "requirements-dev.txt", "requirements-model.txt"):
        for line in (PROJECT_ROOT / name).read_text().splitlines():
            line = line.strip()
            if not line or line.startswith(("#", "-r", "--")):
                continue
            assert "==" in line, f"{name}: {line} is not pinned with =="


def test_model_is_pinned_by_hash():
    text = (PROJECT_ROOT / "requirements-model.txt").read_text()
    assert re.search(r"--hash=sha256:[0-9a-f]{64}", text)


def test_ci_runs_the_readme_test_command():
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    command = re.search(r"TEST_COMMAND='([^']+)'", ci).group(1)
    assert command in README
    assert "ruff check" in ci


def test_readme_documents_every_setting():
    for f in fields(Settings):
        assert f"{ENV_PREFIX}{f.name.upper()}" in README, f"README does not document {f.name}"
