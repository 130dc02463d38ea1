"""Notebooks: linted as the program their code cells form, findings named by cell and line in the cell."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from rnnlint.notebook import mask_magics, read_notebook
from rnnlint.source import SourceError
from tests.conftest import FIXTURES, run_cli, run_json

NOTEBOOK = FIXTURES / "notebooks" / "sensor_forecast.ipynb"


def test_findings_in_several_cells_name_cell_and_line():
    payload, proc = run_json(str(NOTEBOOK), "--no-cache")
    assert proc.returncode == 1, proc.stderr
    got = {(f["cell"], f["line"], f["code"]) for f in payload["findings"]}
    # cell 3: the scaler refit on test data; cell 5: the compile; cell 6 (a %%time cell): the fit
    assert {(3, 8, "RNN202"), (5, 6, "RNN101"), (5, 6, "RNN102"), (6, 2, "RNN301")} <= got
    assert len({cell for cell, _, _ in got}) >= 3


def test_text_format_names_the_cell():
    proc = run_cli("check", str(NOTEBOOK), "--no-cache", "--show-source")
    assert f"{NOTEBOOK}:cell 5:6:25: RNN101 [missing-gradient-clipping]" in proc.stdout
    assert "    6 | model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=0.5)" in proc.stdout


def test_sarif_points_at_the_ipynb_line_and_carries_the_cell():
    proc = run_cli("check", str(NOTEBOOK), "--format", "sarif", "--no-cache")
    results = json.loads(proc.stdout)["runs"][0]["results"]
    raw = NOTEBOOK.read_text().splitlines()
    for result in results:
        line = result["locations"][0]["physicalLocation"]["region"]["startLine"]
        cell, cell_line = result["properties"]["cell"], result["properties"]["cellLine"]
        assert result["message"]["text"].startswith(f"cell {cell}, line {cell_line}: ")
        source = json.loads(NOTEBOOK.read_text())["cells"][cell - 1]["source"]
        flagged = "".join(source).splitlines()[cell_line - 1]
        assert json.dumps(flagged)[1:-1] in raw[line - 1]  # the .ipynb line holds the flagged source line


def test_suppressions_work_inside_cells():
    payload, proc = run_json(str(FIXTURES / "notebooks" / "suppressed_clean.ipynb"), "--no-cache")
    assert proc.returncode == 0 and payload["findings"] == [], proc.stderr


@pytest.mark.parametrize("source, masked", [
    ("%matplotlib inline\nimport numpy as np", "pass\nimport numpy as np"),
    ("!pip install -q tensorflow", "pass"),
    ("files = !ls data\nx = 1", "pass\nx = 1"),
    ("t = %timeit -o f()", "pass"),
    ("model.fit?", "pass"),
    ("?model.fit", "pass"),
    ("if ok:\n    %time f()\n    x = 2", "if ok:\n    pass\n    x = 2"),
    ("%%bash\nls -l\necho hi", "pass\n\n"),
    ("%%time\nmodel.fit(X, y)", "pass\nmodel.fit(X, y)"),
    ("x = a != b\ny = '%d' % 3", "x = a != b\ny = '%d' % 3"),
])
def test_magics_are_masked_line_for_line(source, masked):
    assert mask_magics(source) == masked
    assert mask_magics(source).count("\n") == source.count("\n")


@pytest.mark.parametrize("data, needle", [
    (b'{"cells": [ {"cell_type": "code", "source": "x = 1"', "broken JSON at line 1"),
    (b"", "broken JSON"),
    (b"\xff\xfe\x00", "cannot decode"),
    (b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}', "not a valid notebook"),
    (b'{"cells": [], "nbformat": 4, "nbformat_minor": 5, "metadata": {"language_info": {"name": "R"}}}',
     "R notebook"),
    (b'[1, 2]', "not an object"),
    (b'{"cells": {"0": {}}, "nbformat": 4, "metadata": {}}', "no 'cells' list"),
    (b'{"cells": [{"source": "x = 1"}], "nbformat": 4, "metadata": {}}', "cell 1 has no 'cell_type'"),
    (b'{"cells": [{"cell_type": "code", "source": [1, 2]}], "nbformat": 4, "metadata": {}}',
     "cell 1's source is neither a string nor a list of strings"),
    (b'{"nbformat": 3, "metadata": {}, "worksheets": {"cells": []}}', "needs a 'worksheets' list"),
    (b'[' * 100_000 + b']' * 100_000, "broken JSON"),
])
def test_bad_notebooks_are_one_line_errors(data, needle):
    result = read_notebook(data)
    assert isinstance(result, SourceError) and needle in result.message and "\n" not in result.message


def test_broken_notebook_through_the_cli_is_a_clean_exit_2():
    proc = run_cli("check", str(FIXTURES / "notebooks" / "broken.ipynb"), "--no-cache")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "broken.ipynb: error: not a valid notebook: broken JSON at line 1 column 52" in proc.stderr
    payload, proc = run_json(str(FIXTURES / "notebooks" / "broken.ipynb"), "--no-cache")
    assert proc.returncode == 2 and payload["findings"] == []
    [error] = payload["errors"]
    assert error["fatal"] and error["message"].startswith("not a valid notebook: broken JSON at line 1 column 52")


def _v4(*cells: tuple[str, object]) -> bytes:
    return json.dumps({"cells": [{"cell_type": kind, "metadata": {}, "source": source} for kind, source in cells],
                       "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
                       "nbformat": 4, "nbformat_minor": 5}).encode()


@pytest.mark.parametrize("data", [
    _v4(("markdown", "# Title"), ("code", "import keras\nx = 1"), ("raw", "not python {"), ("code", "y = 2\n")),
    _v4(("markdown", ["# Title"]), ("code", ["import keras\n", "x = 1"]), ("raw", ["not python {"]),
        ("code", ["y = 2\n"])),
    b"\xef\xbb\xbf" + _v4(("markdown", "# Title"), ("code", ["import keras\n", "x = 1"]), ("raw", ""),
                           ("code", "y = 2")),
    json.dumps({"metadata": {}, "nbformat": 3, "nbformat_minor": 0, "worksheets": [
        {"cells": [{"cell_type": "heading", "level": 1, "source": "Title"},
                   {"cell_type": "code", "language": "python", "input": "import keras\nx = 1", "outputs": []}]},
        {"cells": [{"cell_type": "raw", "source": ["not python {"]},
                   {"cell_type": "code", "language": "python", "input": ["y = 2"], "outputs": []}]}]}).encode(),
], ids=["v4-strings", "v4-line-lists", "v4-bom", "v3-two-worksheets"])
def test_code_cells_in_every_shape_of_the_schema_form_one_program(data):
    """Sources as one string or a list of lines, v4 cells or v3 worksheets: the same program, and
    cells keep their position among all cells (markdown, heading and raw cells count, not lint)."""
    program = read_notebook(data)
    assert program.text == "import keras\nx = 1\ny = 2\n"
    assert [(c.index, c.first_line, c.line_count) for c in program.cells] == [(2, 1, 2), (4, 3, 1)]


@pytest.mark.parametrize("target", [FIXTURES / "seed", NOTEBOOK])
def test_linting_imports_neither_nbformat_nor_jsonschema(target):
    """jsonschema comes with the test extra (it validates SARIF logs), nbformat often with Jupyter:
    linting needs neither, so neither may cost import time."""
    code = textwrap.dedent(f"""
        import contextlib, io, sys
        from rnnlint.cli import main
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            main(["check", "--no-cache", {str(target)!r}])
        print(sorted({{m.split(".")[0] for m in sys.modules}} & {{"nbformat", "jsonschema"}}))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip() == "[]", proc.stderr


@pytest.mark.parametrize("ensure_ascii", [False, True])
def test_ipynb_lines_are_found_with_non_ascii_source(ensure_ascii):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# Données"]},
             {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": ["# température °C\n", "import keras\n", "x = 1"]}]
    raw = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
                     indent=1, ensure_ascii=ensure_ascii)
    program = read_notebook(raw.encode())
    lines = raw.splitlines()
    (cell,) = program.cells
    assert cell.index == 2 and cell.line_count == 3
    assert [lines[n - 1].strip() for n in cell.file_lines] == [
        json.dumps(s, ensure_ascii=ensure_ascii) + "," if i < 2 else json.dumps(s, ensure_ascii=ensure_ascii)
        for i, s in enumerate(cells[1]["source"])]


def test_an_nbformat_3_notebook_is_read_from_its_worksheets():
    cells = [{"cell_type": "heading", "level": 1, "source": ["Forecast"]},
             {"cell_type": "code", "language": "python", "input": ["import keras\n", "x = 1"], "outputs": []}]
    raw = json.dumps({"metadata": {"name": "old"}, "nbformat": 3, "nbformat_minor": 0,
                      "worksheets": [{"cells": cells, "metadata": {}}]})
    program = read_notebook(raw.encode())
    assert program.text == "import keras\nx = 1\n" and [c.index for c in program.cells] == [2]


def test_notebooks_need_nothing_beyond_the_base_install(tmp_path):
    """Issue 14 item 4: with nbformat unimportable, a notebook is linted as before."""
    code = textwrap.dedent(f"""
        import sys
        sys.modules["nbformat"] = sys.modules["jsonschema"] = None  # as if neither were installed
        from rnnlint.cli import main
        sys.exit(main(["check", "--no-cache", "--format", "json", {str(NOTEBOOK)!r}]))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert {(f["cell"], f["code"]) for f in json.loads(proc.stdout)["findings"]} >= {(5, "RNN101"), (3, "RNN202")}
