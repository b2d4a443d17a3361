"""Plans with declared events, for the tests of the generated layer's event catalog."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from telemetry_cli.plan import Plan, plan_from_table

# Every type of the vocabulary, every constraint, long names and descriptions (quotes and a
# backslash included), enums (of a property and of array items), a declared context property
# with constraints, an event with additional properties, one whose properties are all optional
# and one whose property names pydantic reserves; plus free-form event types beside them.
RICH_CATALOG = r'''
event-types = ["chapter_visit", "error_event"]
instrument = { "api/ai_blocks.py" = { event = "ai_block_used", capture = ["chapter_id"] } }

[events.ai_block_used]
description = "A reader used one of a chapter's AI blocks."
properties.chapter_id = { type = "string", min-length = 1, max-length = 100 }
properties.num_questions = { type = "integer", required = false, minimum = 1, maximum = 10 }

[events.ai_block_used.properties.block_type]
type = "string"
enum = ["ask-question", "explain-like-10", "quiz", "diagram"]
description = "Which block."

[events.quiz_completed]
additional-properties = true
description = """A reader finished a quiz. This description is long on purpose: it must be \
wrapped over several lines in every generated file, and it holds "double quotes", 'single \
quotes' and a backslash \\ too."""
properties.score = { type = "number", minimum = 0, maximum = 1, description = "Right answers." }
properties.answers = { type = "array", items = { type = "string", enum = ["a", "b"] } }
properties.finished_at = { type = "datetime", description = "When the last answer was given." }
properties.retried = { type = "boolean", required = false }
properties.attempt = { type = "integer" }
properties.route = { type = "string", max-length = 200, description = "Where it was taken." }
properties.weights = { type = "array", items = { type = "number", minimum = 0 }, required = false }
properties.flags = { type = "array", items = { type = "boolean" }, max-items = 3, required = false }
properties.seen_at = { type = "array", items = { type = "datetime" }, required = false }
properties.mode = { type = "string", enum = ["practice"], required = false }

[events.quiz_completed.properties.durations_ms]
type = "array"
items = { type = "integer", minimum = 0, maximum = 86400000 }
max-items = 20
required = false

[events.quiz_completed.properties.labels]
type = "array"
items = { type = "string", min-length = 1, max-length = 20 }
required = false

[events.quiz_completed.properties.a_property_with_a_long_name_that_needs_its_own_line]
type = "integer"
minimum = -9007199254740991
maximum = 9007199254740991
required = false

# Property names a pydantic field cannot take (builtins its field types read, BaseModel's own
# names, pydantic's model_ namespace): the model aliases them, the payload keeps them.
[events.settings_saved]
properties.json = { type = "string" }
properties.copy = { type = "integer", minimum = 0, description = "Copies kept." }
properties.model_config = { type = "string", required = false }
properties.model_name = { type = "string", required = false }
properties.str = { type = "string", required = false, max-length = 10 }
properties.int = { type = "integer", required = false, maximum = 4 }
properties.list = { type = "array", items = { type = "string" }, required = false }
properties.whole_number = { type = "integer", required = false }
properties.validate = { type = "boolean", required = false }
properties.distance = { type = "number", minimum = -1.5e16, maximum = 1e300, required = false }

# Enum values with quotes, a backslash, placeholder-like text, an empty one and a blank one.
[events.settings_saved.properties.theme]
type = "string"
enum = ["a\"b", "c'd", "e\\f", "\"\"\"", "${x}", "%s", "é", "", " "]
required = false

[events.page_view]
properties.path = { type = "string", required = false, max-length = 2000 }
properties.referrer = { type = "string", required = false }
'''

# Every event type declared, one of them only: the log request has a single alternative. The
# error hook logs it, so it takes the hook's properties.
SINGLE_CATALOG = """
event-types = ["error_event"]
instrument = {}

[events.error_event]
description = "An unhandled exception."
properties.exception = { type = "string", min-length = 1, description = "Its class name." }
properties.severity = { type = "string", enum = ["error", "critical"], required = false }
"""


def catalog_plan(root: Path, text: str = RICH_CATALOG) -> Plan:
    """The plan of ``text`` (a ``[tool.telemetry-scaffold]`` table) for a project at ``root``."""
    return plan_from_table(tomllib.loads(text), root=root, config_file=root / "pyproject.toml")


def catalog_options(text: str = RICH_CATALOG) -> dict[str, Any]:
    """The Plan fields of a catalog, as ``layer_support.make_plan`` options."""
    plan = catalog_plan(Path("/nonexistent"), text)
    return {
        "event_types": plan.event_types,
        "events": plan.events,
        "instrument": plan.instrument,
        "capture_errors": plan.capture_errors,
    }


def _line_lengths_catalog() -> str:
    """Fields of every layout around the line length: names of 1 to 40 characters, each type."""
    kinds = {
        "bounded_integers": '{ type = "integer", minimum = 0, maximum = 9, required = false }',
        "described_strings": '{ type = "string", description = "A described string." }',
        "bounded_arrays": (
            '{ type = "array", items = { type = "integer", minimum = 0 }, required = false, '
            'description = "An array of bounded integers, described." }'
        ),
    }
    # The longest declared event type first (the logger's docstring shows its tracking call),
    # with an enum property: the longest class, method, alias and parameter names.
    tables = [
        "[events.reader_finished_the_longest_named_blocks]\n"
        'properties.chosen_options_of_the_reader_xyz = { type = "array", items = { type = '
        '"string", enum = ["a", "b"] }, required = false }\n'
        'properties.attempt_number = { type = "integer" }\n'
        # The longest property name (64), required: the examples' payload shows it.
        f'properties.{"r" * 64} = {{ type = "string" }}\n'
    ]
    # Event types of the longest length (64): docstrings and PAYLOAD_MODELS entries that need
    # their shorter or parenthesised forms; the longest property names (64) and an enum whose
    # type name and property name just fit the tracking method's line.
    longest = "an_event_type_of_sixty_four_characters_that_is_the_longest_one_"
    tables.append(
        f"[events.{longest}o]\n"
        'description = "The longest event type, described."\n'
        f"properties.{'p' * 64} = {kinds['bounded_integers']}\n"
        'properties.choice_xxxxxxxxxxxx = { type = "string", enum = ["a", "b"] }\n'
        f"[events.{longest}p]\n"
        f'properties.{"q" * 64} = {{ type = "datetime", required = false }}\n'
    )
    for event, spec in kinds.items():
        names = ["p" + "x" * size for size in range(40)]
        tables.append(f"[events.{event}]\n" + "".join(f"properties.{n} = {spec}\n" for n in names))
    return 'event-types = ["error_event"]\ninstrument = {}\n\n' + "\n".join(tables)


# Field lines of every length near the line limit, and a union of log requests too long for a line:
# the generated code's own layout must be the one ruff format writes.
LINE_LENGTHS_CATALOG = _line_lengths_catalog()

# Names and numbers at the edges: event types and property names YAML 1.1 reads as booleans or
# null when bare (yes, on, null, no, off, y; one free-form type only: schemathesis pins a
# discriminator mapping's schema to the last of its several names, so its negative cases count
# the others as invalid), an enum alias ruff's isort counts as a constant
# (``AB``) and one whose case-insensitive order differs from the plain one (``EvOne`` after
# ``EventType``), bounds of -0.0, the smallest float, equal bounds, no items at all and the
# largest count JSON carries exactly; events without properties, descriptions of spaces.
EDGE_CATALOG = """
event-types = ["off", "error_event"]
instrument = {}

[events.yes]
properties.on = { type = "string", enum = ["null", "true", "~", "- x", ": ", "#", "1"] }
properties.no = { type = "boolean", required = false }
properties.y = { type = "number", minimum = -0.0, maximum = 5e-324, required = false }
properties.n = { type = "integer", minimum = 7, maximum = 7.0, required = false }
properties.none = { type = "array", items = { type = "datetime" }, max-items = 0, required = false }
properties.long = { type = "string", max-length = 9007199254740991, required = false }

# The longest enum value, with spaces, in the examples (a payload's and a tracking call's).
[events.yes.properties.a_long_enum_whose_first_value_has_spaces]
type = "string"
enum = ["a value of sixty four characters, with spaces, as long as allowe", "b"]

[events.a]
properties.b = { type = "array", items = { type = "string", enum = ["x", "y"] }, required = false }

[events.ev]
properties.one = { type = "string", enum = ["1", "2"], required = false }
properties.true = { type = "string", required = false }
properties.null = { type = "integer", required = false }

# No property at all, closed and open; descriptions of spaces only, or with spaces around.
[events.bare]
description = "   "

[events.anything]
additional-properties = true
description = '  Spaces around, a "quote" at the end"  '
properties.blank = { type = "string", required = false, description = " " }

[events.error_event]
properties.exception = { type = "string", min-length = 1, required = false }
"""
