"""Reporters: pure functions from a run's results to the text written on stdout."""
