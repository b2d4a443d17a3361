from datetime import date


class Calendar:
    """Events by id, kept in memory for the lifetime of the process."""

    def __init__(self) -> None:
        self.events: dict[int, tuple[date, str]] = {
            1: (date(2025, 5, 17), "Constitution Day parade"),
            2: (date(2025, 6, 21), "Midsummer picnic"),
        }
