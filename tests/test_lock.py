"""The lock files: complete, consistent with pyproject.toml and with each other, and in force."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)")
TEST_TOOLS = {"pytest", "pytest-xdist", "hypothesis", "ruff", "mypy", "playwright"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def pins(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        m = PIN.match(line)
        if m:
            out[m[1].lower().replace("_", "-")] = m[2]
            continue
        if line and not line.startswith((" ", "#")):
            raise AssertionError(f"{name}: not a pinned requirement: {line}")
    return out


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_every_pin_carries_hashes() -> None:
    for name in ("requirements-runtime.lock", "requirements.lock"):
        text = (ROOT / name).read_text(encoding="utf-8")
        blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[-1])
        for block in blocks:
            if PIN.match(block):
                assert "--hash=sha256:" in block, block.splitlines()[0]


def test_the_runtime_lock_has_what_the_demo_needs_and_no_test_tool() -> None:
    runtime = pins("requirements-runtime.lock")
    for requirement in project()["dependencies"]:
        assert _name(requirement) in runtime, requirement
    assert not TEST_TOOLS & set(runtime)
    assert "setuptools" in runtime  # the editable install builds from the lock too


def test_the_test_lock_pins_the_runtime_alike_and_the_test_tools() -> None:
    runtime, test = pins("requirements-runtime.lock"), pins("requirements.lock")
    assert {k: test.get(k) for k in runtime} == runtime
    for requirement in project()["optional-dependencies"]["test"]:
        assert _name(requirement) in test, requirement


def test_this_environment_is_the_locked_one() -> None:
    """The suite passes with exactly the versions a fresh clone installs."""
    differ = {}
    for name, version in pins("requirements.lock").items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            differ[name] = (version, installed)
    assert differ == {}, "run `make test` (it installs requirements.lock)"
