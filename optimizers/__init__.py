"""Optimizers that update anything with `.data` and `.grad` numpy arrays."""
