"""minigrad: a small reverse-mode autodiff engine for learning backpropagation."""
