"""Where training probably starts, read statically for a "no verdict" report (no TensorFlow)."""

from __future__ import annotations

from rnnlint.probe.entry import where_training_starts


def test_a_training_function_never_called(tmp_path):
    script = tmp_path / "model.py"
    text = "def build():\n    return 1\n\n\ndef train(m, x, y):\n    m.fit(x, y)\n\n\nbuild()\n"
    assert where_training_starts(script, text) == "fit (line 6) is inside train(), which the script never calls"


def test_a_main_guard_that_is_not_taken(tmp_path):
    text = "if __name__ == 'main':\n    model.fit(x, y)\n"
    hint = where_training_starts(tmp_path / "t.py", text)
    assert "guard on line 1" in hint and "'main'" in hint
    taken = "def main():\n    if cfg:\n        model.fit(x, y)\n\n\nif __name__ == '__main__':\n    main()\n"
    assert where_training_starts(tmp_path / "t.py", taken) == "its fit calls were not reached"


def test_a_sibling_script_that_imports_this_one(tmp_path):
    (tmp_path / "run_training.py").write_text("from model_def import build\nbuild().fit(x, y)\n")
    hint = where_training_starts(tmp_path / "model_def.py", "def build():\n    return None\n")
    assert hint == "no fit runs here; training probably starts in run_training.py, which imports it"


def test_no_fit_anywhere_and_unparsable_text(tmp_path):
    assert where_training_starts(tmp_path / "a.py", "x = 1\n") == "the script has no fit or apply_gradients call"
    assert "does not parse" in where_training_starts(tmp_path / "a.py", "def (:\n")
