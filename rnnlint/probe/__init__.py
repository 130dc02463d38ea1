"""The runtime probe: run a training script briefly under instrumentation and judge what it measured.

Nothing here is imported by the static path: `rnnlint.cli` reaches `rnnlint.probe.command` lazily, and
only the child process (`child.py`) imports TensorFlow.
"""
