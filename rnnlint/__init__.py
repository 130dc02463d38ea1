"""rnnlint: find (and confirm) the Keras training configurations that make RNN training fail."""

__version__ = "0.1.0"
