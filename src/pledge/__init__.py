"""Pledge: a company's privacy notice as code."""

__version__ = "0.1.0"
