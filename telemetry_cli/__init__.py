"""telemetry-scaffold: scaffold an analytics & telemetry layer into a FastAPI backend."""

from typing import NoReturn

__version__ = "0.40.0"


def main() -> NoReturn:
    """Run the command line: the console script's entry point (and ``python -m``'s).

    The command line's modules (Typer, rich, the tool's own) take a noticeable moment to
    import; a Ctrl-C then ended the run with a traceback of that import, before the CLI's own
    handling of it began. Here it ends the run as an interrupt anywhere else does: exit 130,
    nothing printed.
    """
    try:
        from telemetry_cli.cli import main as run
    except KeyboardInterrupt:
        raise SystemExit(130) from None  # EXIT_INTERRUPTED, without importing anything more
    run()
