"""Allow ``python -m telemetry_cli``."""

from telemetry_cli.cli import main

main()
