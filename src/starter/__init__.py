"""starter: a production-grade Python full-stack application platform."""

__version__ = "0.1.0"
