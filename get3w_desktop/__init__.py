"""Get3W Desktop: a desktop client for the Get3W generative-AI API."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("get3w-desktop")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
