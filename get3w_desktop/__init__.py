"""Get3W Desktop: a desktop client for the Get3W generative-AI API."""

#: Kept equal to pyproject.toml's version by tests/test_app.py. A literal, because asking
#: importlib.metadata costs ~30 ms at every start and a frozen build may lack the metadata.
__version__ = "0.1.0"
