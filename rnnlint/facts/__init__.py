"""Facts about a training script, collected in one pass and shared by every rule."""
