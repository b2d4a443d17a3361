"""The cheap gates in front of the credential scan skip only work that would find nothing.

Each gate of ``holds_secret``/``_scan_for_secret`` (a short plain word kept first, the service
token search only where a token fits after the first prefix, the card, IBAN and national id
patterns only in text holding two digits in a row) is held here against the rules it skips: on
the hostile corpora and on text hypothesis builds from the skipped patterns themselves. A later
rule that would find something a gate skips fails here instead of being silently passed over.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import test_layer_redaction
from tests.hostile_support import ENCODINGS, INNOCENT, SECRETS, WHOLE_ONLY
from tests.layer_support import Layer, rendered_layer


@pytest.fixture(scope="module")
def layer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Layer]:
    with rendered_layer(tmp_path_factory.mktemp("redaction-gates")) as rendered:
        yield rendered


def _corpus() -> list[str]:
    """Every string of the hostile corpora and of the redaction tests' tables, encoded too."""
    texts = [value for value, _ in SECRETS] + list(INNOCENT) + list(WHOLE_ONLY)
    texts += [
        item
        for table in vars(test_layer_redaction).values()
        if isinstance(table, list)
        for item in table
        if isinstance(item, str)
    ]
    texts = [text for text in texts if isinstance(text, str)]
    encoded = [encode(text) for text in texts for encode in ENCODINGS.values()]
    # The shapes around the gates: routes, slugs and names as instrumented payloads hold them.
    around = [f"/api/ai/{text}" for text in texts] + [f"ask-{text}" for text in texts]
    return list(dict.fromkeys(texts + encoded + around))


CORPUS = _corpus()


def _finds_service_token(module: Any, text: str) -> bool:
    """The service token search of ``_scan_for_secret`` without its gate."""
    return bool(
        module._SERVICE_TOKEN.search(text)
        or any(
            module._MORE_SERVICE_TOKENS.search(run[0]) for run in module._TOKEN_RUN.finditer(text)
        )
    )


def _token_gate_passes(module: Any, text: str) -> bool:
    """The gate of ``_scan_for_secret``: room for the shortest token after the first prefix."""
    prefix = module._TOKEN_PREFIX.search(text)
    return prefix is not None and prefix.start() <= len(text) - module._SHORTEST_TOKEN


def _finds_digit_shape(module: Any, text: str) -> bool:
    """The card, IBAN and national id patterns of ``_scan_for_secret`` without their gate."""
    return bool(
        module._CARD.search(text) or module._IBAN.search(text) or module._NATIONAL_ID.search(text)
    )


def test_the_corpus_is_large(layer: Layer) -> None:
    assert len(CORPUS) > 5000
    module = layer.redaction
    # The corpus reaches every gate's other side, so the tests below compare something.
    assert sum(bool(_finds_service_token(module, text)) for text in CORPUS) > 100
    assert sum(bool(_finds_digit_shape(module, text)) for text in CORPUS) > 100
    assert sum(bool(module._PLAIN_WORD.fullmatch(text)) for text in CORPUS) > 100


def test_the_gates_skip_nothing_the_rules_find_in_the_corpus(layer: Layer) -> None:
    module = layer.redaction
    for text in CORPUS:
        if len(text) < 20 and module._PLAIN_WORD.fullmatch(text) and "eyJ" not in text:
            assert not module._is_whole_secret(text), text
            assert not module._scan_for_secret(text), text
        if _finds_service_token(module, text):
            assert _token_gate_passes(module, text), text
        if _finds_digit_shape(module, text):
            assert module._TWO_DIGITS.search(text), text


def test_the_shortest_token_is_the_shortest_of_the_tables(layer: Layer) -> None:
    # The token gate's reason: a token starts at a prefix and takes _SHORTEST_TOKEN characters
    # at least (re's own parser gives each shape's least width).
    module = layer.redaction
    shapes = [*module._SERVICE_TOKEN_SHAPES, *module._MORE_SERVICE_TOKEN_SHAPES]
    widths = [re._parser.parse(prefix + rest).getwidth()[0] for prefix, rest in shapes]
    assert min(widths) == module._SHORTEST_TOKEN


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-", max_size=19))
def test_short_names_and_slugs_hold_nothing_the_rules_find(layer: Layer, text: str) -> None:
    # holds_secret keeps such a text before it scans: no rule may ever find one.
    module = layer.redaction
    if "eyJ" in text:
        return
    assert not module._is_whole_secret(text)
    assert not module._scan_for_secret(text)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_token_anywhere_passes_the_token_gate(layer: Layer, data: st.DataObject) -> None:
    module = layer.redaction
    pattern = data.draw(st.sampled_from([module._SERVICE_TOKEN, module._MORE_SERVICE_TOKENS]))
    token = data.draw(st.from_regex(pattern, fullmatch=True))
    before = data.draw(st.sampled_from(["", "/api/ai/ask-", "/api/ai/", "task-", "key=", "x "]))
    after = data.draw(st.sampled_from(["", "/ask-question", " desk-", "&sk-"]))
    text = before + token + after
    if _finds_service_token(module, text):
        assert _token_gate_passes(module, text), text


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_card_iban_or_national_id_holds_two_digits(layer: Layer, data: st.DataObject) -> None:
    module = layer.redaction
    pattern = data.draw(st.sampled_from([module._CARD, module._IBAN, module._NATIONAL_ID]))
    text = data.draw(st.from_regex(pattern))
    if pattern.search(text):
        assert module._TWO_DIGITS.search(text), text


def test_each_token_prefix_starts_with_a_literal_character(layer: Layer) -> None:
    # re tries _TOKEN_PREFIX only at the characters that start one of its alternatives when each
    # starts with a literal one; a class or a group there ("[rs]k_", "(?:AKIA|ASIA)") made it try
    # every prefix at every character (callgrind: a UUID's search 37.8 k instructions, 9.8 k).
    module = layer.redaction
    for prefix, _ in [*module._SERVICE_TOKEN_SHAPES, *module._MORE_SERVICE_TOKEN_SHAPES]:
        first, _ = re._parser.parse(prefix)[0]
        assert first is re._constants.LITERAL, prefix


def _flat_named_values_names_first(module: Any, items: list[Any]) -> list[int]:
    """``flat_named_values`` as 0.31.0 wrote it: the names read before the values' shapes."""
    count = len(items)
    if count < 4 or count % 2 or type(items[0]) is not str:
        return []
    names, values = items[::2], items[1::2]
    if not all(
        type(name) is str and len(name) <= module._MAX_NAME_LENGTH and module._NAME.fullmatch(name)
        for name in names
    ) or len(set(names)) < len(names):
        return []
    shaped = [type(item) is str and module._NAME.fullmatch(item) is not None for item in values]
    if all(shaped) or any(
        name_shaped and len(item) <= module._MAX_NAME_LENGTH and module._names_sensitive_value(item)
        for item, name_shaped in zip(values, shaped, strict=True)
    ):
        return []
    verdicts = [module.key_verdicts.get(name) or module._judge(name) for name in names]
    return [
        2 * index + 1
        for index, verdict in enumerate(verdicts)
        if verdict
        and not (type(values[index]) is str and module._LABEL.fullmatch(values[index]))
        and module.is_named_value(items[2 * index : 2 * index + 2])
    ]


_LIST_ITEMS = [
    "password", "user_id", "token", "id", "name", "Password", "api_key", "Last login", 42, None,
    "hunter2", "correct horse", "ada", "s3cr3t!", "tags", 3.5, "display_name", "secret",
]  # fmt: skip


def test_flat_lists_get_the_same_indexes_with_the_values_read_first(layer: Layer) -> None:
    # The corpus' texts as names and as values, in lists of four and six items.
    module = layer.redaction
    texts = CORPUS[::7]
    lists = [
        [name, value, other, texts[(index * 13 + 5) % len(texts)]]
        for index, (name, value) in enumerate(pairwise(texts))
        for other in ("password", "id")
    ]
    lists += [[*items, "token", texts[index]] for index, items in enumerate(lists[:2000])]
    assert sum(bool(_flat_named_values_names_first(module, items)) for items in lists) > 10
    for items in lists:
        assert module.flat_named_values(items) == _flat_named_values_names_first(module, items)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(st.sampled_from(_LIST_ITEMS), min_size=4, max_size=8))
def test_flat_lists_get_the_same_indexes_whatever_their_items(
    layer: Layer, items: list[Any]
) -> None:
    module = layer.redaction
    assert module.flat_named_values(items) == _flat_named_values_names_first(module, items)


class _CountingPattern:
    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.calls = 0

    def fullmatch(self, text: str) -> re.Match[str] | None:
        self.calls += 1
        return self.pattern.fullmatch(text)


def test_a_list_of_names_alone_is_out_before_its_names_are_read(
    layer: Layer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tags, slugs, ids and a table's columns are most lists of strings: their values' shapes
    # alone keep them whole, so the names are not matched too.
    module = layer.redaction
    counting = _CountingPattern(module._NAME)
    monkeypatch.setattr(module, "_NAME", counting)
    assert module.flat_named_values(["intro", "kinematics", "robots", "sensors"]) == []
    assert counting.calls == 2


def _names_short_secret_in_path_shape_first(module: Any, text: str) -> bool:
    """``_names_short_secret_in_path`` as session 45 wrote it: the segment's shape judged first."""
    for run in module._PATH_RUN.finditer(text):
        segments = run[0].split("/")
        for index in range(1, len(segments)):
            segment = segments[index].rstrip(".,;")
            if not (
                module._MIN_SHORT_SECRET <= len(segment) < module._MIN_LONG_SECRET
                and module._DIGIT.search(segment) is not None
                and module._ROUTE_TEMPLATE.search(segment) is None
                and module._VERSION_SEGMENT.fullmatch(segment) is None
                and module._looks_random(segment)
            ):
                continue
            before = segments[index - 1]
            named = module._names_credential_segment(before) or (
                module._WORD_NUMBER.fullmatch(segment) is None
                and module._names_link_segment(before)
            )
            if (named and not module._is_record_action(segments, index)) or (
                index >= 2 and before and module._names_login_segment(segments[index - 2])
            ):
                return True
    return False


_PATH_NAMES = [
    "password", "reset-password", "api-keys", "tokens", "login", "sign-in", "shared", "confirm",
    "invitations", "products", "users", "orders", "ada", "api", "v1", "", "Password", "pwd",
]  # fmt: skip
_PATH_VALUES = [
    "sku-1234", "a8Kq2x", "hunter2", "k3y9x1", "s3cret", "{token}", ":token", "v2.1", "page-2",
    "Reports2024Q1", "photo1", "42", "0a1b2c3d", "9f86d081884c7d65", "x1", "ada", "reset",
]  # fmt: skip


def test_short_path_secrets_get_the_same_verdicts_with_the_names_asked_first(
    layer: Layer,
) -> None:
    module = layer.redaction
    # Texts of a payload's length (the hostile corpora's long ones cost minutes a rule).
    texts = [text for text in CORPUS if len(text) <= 400 and module._DIGIT.search(text)]
    paths = [f"/{name}/{value}" for name in _PATH_NAMES for value in texts[::5]]
    paths += [f"/login/{texts[index]}/{value}" for index, value in enumerate(texts[::11])]
    checked = texts + paths
    assert sum(_names_short_secret_in_path_shape_first(module, text) for text in checked) > 100
    for text in checked:
        assert module._names_short_secret_in_path(text) == _names_short_secret_in_path_shape_first(
            module, text
        ), text


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    segments=st.lists(st.sampled_from(_PATH_NAMES + _PATH_VALUES), min_size=1, max_size=5),
    end=st.sampled_from(["", "/", ".", "?next=1", " and more"]),
)
def test_short_path_secrets_get_the_same_verdicts_whatever_their_segments(
    layer: Layer, segments: list[str], end: str
) -> None:
    module = layer.redaction
    text = "/" + "/".join(segments) + end
    assert module._names_short_secret_in_path(text) == _names_short_secret_in_path_shape_first(
        module, text
    )


# The patterns as session 46 wrote them: each began with a look-behind or a run of any length,
# so that ``re`` tried it at every character (a word's characters each read to its end again).
_NAME_GAP_BEFORE = re.compile(
    r"(?:(?<=[^\W\d_])(?<![sS])|(?<=[^\W\d_]\.)) {1,4}(?=(?:[A-Z]{1,2}[ \t]?)?\d|[\w+/=~.-]{16})",
)
_PATH_RUN_BEFORE = re.compile(r"[^\s/?#&\"'<>()\[\]]*(?:/[^\s/?#&\"'<>()\[\]]*)+")


def _matches(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], str]]:
    return [(found.span(), found[0]) for found in pattern.finditer(text)]


def test_the_space_first_name_gap_and_word_start_path_run_match_as_before(layer: Layer) -> None:
    module = layer.redaction
    # Texts of a payload's length: the quadratic path run costs minutes on the corpora's long ones.
    texts = [text for text in CORPUS if len(text) <= 400]
    assert sum(bool(_NAME_GAP_BEFORE.search(text)) for text in texts) > 100
    assert sum(bool(_PATH_RUN_BEFORE.search(text)) for text in texts) > 100
    for text in texts:
        assert _matches(module._NAME_GAP, text) == _matches(_NAME_GAP_BEFORE, text), text
        assert _matches(module._PATH_RUN, text) == _matches(_PATH_RUN_BEFORE, text), text


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet="aZsS.é_ 1/-?&(<'\"=~+#\t", max_size=40))
def test_the_name_gap_and_path_run_match_as_before_whatever_the_text(
    layer: Layer, text: str
) -> None:
    module = layer.redaction
    assert _matches(module._NAME_GAP, text) == _matches(_NAME_GAP_BEFORE, text)
    assert _matches(module._PATH_RUN, text) == _matches(_PATH_RUN_BEFORE, text)


def test_the_name_gap_and_path_run_are_tried_at_few_characters(layer: Layer) -> None:
    # The reason for their shapes: re's compiled prefix (a literal " ") or an early failing
    # look-behind. Held by re's own parser: the gap starts with its space.
    module = layer.redaction
    first, _ = re._parser.parse(module._NAME_GAP.pattern).data[0]
    assert str(first) == "LITERAL"
    first, _ = re._parser.parse(module._PATH_RUN.pattern).data[0]
    assert str(first) == "ASSERT_NOT"


# --- the memo of clean texts (``_clean_texts``) --------------------------------------------


def _memo_texts(module: Any) -> list[str]:
    """The corpus's texts the memo may hold, and some just longer (which it must not)."""
    return [text for text in CORPUS if len(text) <= 2 * module._MAX_CLEAN_TEXT]


def test_the_memo_keeps_only_clean_texts_and_agrees_with_the_scan(layer: Layer) -> None:
    module = layer.redaction
    texts = _memo_texts(module)
    scanned = {text: module._finds_secret(text) for text in texts}
    # The corpus reaches both verdicts, and more texts than the memo holds.
    assert sum(scanned.values()) > 1000
    assert sum(not verdict for verdict in scanned.values()) > module._MAX_CLEAN_TEXTS
    module._clean_texts.clear()
    for _ in range(2):  # the memo filling, then warm: every verdict is the scan's
        for text in texts:
            assert module.holds_secret(text) == scanned[text], text
            if scanned[text]:
                assert text not in module._clean_texts, text
    remembered = list(module._clean_texts)
    assert remembered  # the second pass was served by it
    for text in remembered:
        assert not module._finds_secret(text), text
        assert len(text) <= module._MAX_CLEAN_TEXT, text


def test_a_text_holding_a_credential_is_never_remembered(layer: Layer) -> None:
    module = layer.redaction
    module._clean_texts.clear()
    for value, _ in SECRETS:
        if isinstance(value, str) and module.holds_secret(value):
            assert value not in module._clean_texts, value
            assert module.holds_secret(value), value  # asked again, still found
    assert not any(module._finds_secret(text) for text in module._clean_texts)


def test_the_memo_stays_within_its_bounds_under_a_stream_of_distinct_texts(
    layer: Layer,
) -> None:
    module = layer.redaction
    module._clean_texts.clear()
    most = 0
    for number in range(3 * module._MAX_CLEAN_TEXTS):
        text = f"/api/orders/{number:08x}-c0de-4a1b-8c2d-{number:012x}/items"
        assert not module.holds_secret(text), text
        most = max(most, len(module._clean_texts))
    assert most == module._MAX_CLEAN_TEXTS
    # Longer texts and subclasses of str are judged, never remembered.
    long_text = "Please leave the parcel at the back door. " * 8
    assert len(long_text) > module._MAX_CLEAN_TEXT
    assert not module.holds_secret(long_text)
    assert long_text not in module._clean_texts

    class Text(str):
        __slots__ = ()

    module._clean_texts.clear()
    assert not module.holds_secret(Text("/api/ai/quiz"))
    assert not module._clean_texts


def test_a_str_subclass_equal_to_a_remembered_text_is_judged_itself(layer: Layer) -> None:
    module = layer.redaction
    token = "ghp_" + "a1B2c3D4e5" * 3 + "f6G7h8"
    assert module._finds_secret(token)

    class Lying(str):
        """Equal to anything, with the hash of a remembered clean text."""

        __slots__ = ()

        def __eq__(self, other: object) -> bool:
            return True

        def __hash__(self) -> int:
            return hash("/api/ai/quiz")

    module._clean_texts.clear()
    assert not module.holds_secret("/api/ai/quiz")
    assert "/api/ai/quiz" in module._clean_texts
    assert module.holds_secret(Lying(token))


def test_verdicts_agree_with_the_scan_when_threads_share_a_small_memo(
    layer: Layer, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = layer.redaction
    texts = [text for text in _memo_texts(module) if len(text) <= module._MAX_CLEAN_TEXT][:1500]
    scanned = {text: module._finds_secret(text) for text in texts}
    # A bound of 8 makes the threads clear the set while others look texts up and add them.
    monkeypatch.setattr(module, "_MAX_CLEAN_TEXTS", 8)
    module._clean_texts.clear()
    threads = 4

    def judge(offset: int) -> list[tuple[str, bool]]:
        order = texts[offset:] + texts[:offset]
        return [(text, module.holds_secret(text)) for text in order * 2]

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(judge, range(0, threads * 97, 97)))
    for verdicts in results:
        for text, verdict in verdicts:
            assert verdict == scanned[text], text
    assert len(module._clean_texts) <= 8 + threads
    assert not any(scanned[text] for text in module._clean_texts)
    module._clean_texts.clear()


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet="aZk_=:/ 0123456789-.@%eyJ", max_size=60))
def test_remembered_verdicts_are_the_scans_whatever_the_text(layer: Layer, text: str) -> None:
    module = layer.redaction
    scanned = module._finds_secret(text)
    assert module.holds_secret(text) == scanned  # judged, or remembered by an earlier example
    assert module.holds_secret(text) == scanned  # remembered if clean
    assert (text in module._clean_texts) <= (not scanned)


def _called_from_depth(depth: int, call: Callable[[], bool]) -> bool:
    """``call()`` made ``depth`` Python frames deeper than this function's caller."""
    if depth == 0:
        return call()
    return _called_from_depth(depth - 1, call)


@pytest.mark.parametrize(
    "inner",
    [
        # Names escaped as JSON allows: only the parsed document gives the credential away.
        '{"\\u0070assword": "hunter2x9Q"}',
        '{"note": "{\\"\\\\u0074oken\\": \\"hunter2x9Q\\"}"}',  # JSON in a JSON string
        '[["user", "ada"], ["\\u0070assword", "hunter2x9Q"]]',
    ],
)
def test_a_scan_cut_short_by_a_deep_stack_redacts_and_is_not_remembered(
    layer: Layer, inner: str
) -> None:
    # A verdict must be the text's, not the caller's: from a deep stack the JSON parser runs out
    # of frames on text it parses from a shallow one. That scan cannot finish, and a scan that
    # cannot finish redacts; remembered as clean, every later caller would have kept it too.
    module = layer.redaction
    text = "[" * 100 + inner + "]" * 100
    assert len(text) <= module._MAX_CLEAN_TEXT
    assert module.holds_secret(text)
    judged = 0
    for depth in range(sys.getrecursionlimit(), 0, -1):
        module._clean_texts.clear()
        try:
            verdict = _called_from_depth(depth, lambda: module.holds_secret(text))
        except RecursionError:  # too deep to call holds_secret at all: no verdict given
            continue
        judged += 1
        assert verdict, depth
        assert text not in module._clean_texts, depth
        assert module.holds_secret(text), depth  # then from a shallow stack
    assert judged
    module._clean_texts.clear()
