"""tinybackprop: backpropagation you can read in an afternoon (standard library only)."""

__version__ = "0.1.0"
