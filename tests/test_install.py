"""A non-editable install into a clean virtual environment finds its catalog and works from anywhere."""

from __future__ import annotations

import subprocess
import sys
import venv

import pytest

from tests.conftest import FIXTURES, ROOT


@pytest.mark.slow
def test_installed_wheel(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
                   check=True, timeout=600)
    [wheel] = list(wheels.glob("rnnlint-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, timeout=600)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    rules = subprocess.run([str(env_dir / "bin" / "rnnlint"), "rules"], cwd=elsewhere,
                           capture_output=True, text=True, timeout=120)
    assert rules.returncode == 0 and "missing-gradient-clipping" in rules.stdout

    script = FIXTURES / "seed" / "example2_optimizer_comparison.py"
    check = subprocess.run([str(python), "-m", "rnnlint", "check", str(script)], cwd=elsewhere,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 1 and "RNN302" in check.stdout, check.stderr

    location = subprocess.run([str(python), "-c", "import rnnlint.catalog as c; print(c.default_rules_dir())"],
                              cwd=elsewhere, capture_output=True, text=True, timeout=60)
    assert "site-packages" in location.stdout  # the catalog shipped inside the wheel, not the checkout
