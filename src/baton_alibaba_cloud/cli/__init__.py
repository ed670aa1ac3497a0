"""The ``baton-alibaba-cloud`` command line: a thin skin over the connector, the emulator and
the c1z reader (parse flags, call one library function, print).

``main`` is the console script's entry point; ``cli`` is the click group (for tests and for
generating ``docs/cli.md``).
"""

from baton_alibaba_cloud.cli._main import cli, main

__all__ = ["cli", "main"]
