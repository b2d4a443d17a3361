"""Allow ``python -m telemetry_cli``."""

from telemetry_cli import main

main()
