"""The filter language and the sort order, on rows shaped like the dashboard's."""

from __future__ import annotations

import pytest

from hybridtui.filtering import Query, sort_key

HEADERS = ["Name", "State", "Public IP", "Private IP", "Flavor"]
ROWS = [
    ("kafka-prod-01", "running", "198.51.100.9", "10.0.0.9", "m5.large"),
    ("kafka-prod-02", "stopped", "-", "10.0.0.10", "m5.large"),
    ("web-prod-01", "running", "198.51.100.10", "10.0.0.2", "t3.micro"),
    ("runner-01", "building", "-", "10.0.0.3", "t3.micro"),
]


def shown(text: str, context: dict[str, str] | None = None) -> list[str]:
    q = Query.parse(text, HEADERS, list(context or {}))
    return [r[0] for r in ROWS if q.matches("\n".join(r).lower(), r, context or {})]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("kafka", ["kafka-prod-01", "kafka-prod-02"]),
        ("KAFKA 02", ["kafka-prod-02"]),
        ("!stopped", ["kafka-prod-01", "web-prod-01", "runner-01"]),
        ("state:running", ["kafka-prod-01", "web-prod-01"]),
        ("State:run", ["kafka-prod-01", "web-prod-01"]),
        ("publicip:198.51.100.1", ["web-prod-01"]),
        ("public_ip:198.51.*", ["kafka-prod-01", "web-prod-01"]),
        ("name:kafka-* !state:stopped", ["kafka-prod-01"]),
        ("^web-", ["web-prod-01"]),
        ("^run", ["kafka-prod-01", "web-prod-01", "runner-01"]),
        ("name:^run", ["runner-01"]),
        ("-0[12]$", ["kafka-prod-01", "kafka-prod-02", "web-prod-01", "runner-01"]),
        ("nosuch:thing", []),
        ("", ["kafka-prod-01", "kafka-prod-02", "web-prod-01", "runner-01"]),
    ],
)
def test_terms(text: str, names: list[str]) -> None:
    assert shown(text) == names


def test_a_field_that_is_not_a_column_comes_from_the_context() -> None:
    """A pane has no Cloud column: `cloud:aws*` keeps or drops it whole."""
    assert shown("cloud:aws*", {"cloud": "aws-eu-west-1"}) == [r[0] for r in ROWS]
    assert shown("cloud:aws*", {"cloud": "gce-europe-west1"}) == []
    assert shown("!cloud:aws*", {"cloud": "gce-europe-west1"}) == [r[0] for r in ROWS]


def test_a_regex_that_does_not_compile_is_taken_as_text_and_said() -> None:
    q = Query.parse("web-(", HEADERS)
    assert q.notes
    assert "taken as text" in q.notes[0]
    assert q.terms[0].pattern is None


def test_spans_mark_what_matched_in_a_cell() -> None:
    q = Query.parse("prod state:run !stopped", HEADERS)
    assert q.spans(0, "kafka-prod-01") == [(6, 10)]
    assert q.spans(1, "running") == [(0, 3)], "a column term marks only its column"
    assert q.spans(0, "running") == []
    assert Query.parse("^web", HEADERS).spans(0, "web-prod-01") == [(0, 3)]


def test_sort_keys_know_addresses_sizes_and_numbers() -> None:
    ips = ["10.0.0.10", "10.0.0.9", "-", "192.168.1.1", "2001:db8::1", "10.0.0.100"]
    assert sorted(ips, key=sort_key) == [
        "10.0.0.9",
        "10.0.0.10",
        "10.0.0.100",
        "192.168.1.1",
        "2001:db8::1",
        "-",
    ]
    sizes = ["16G", "512M", "1.5G", "2G", "?"]
    assert sorted(sizes, key=sort_key) == ["512M", "1.5G", "2G", "16G", "?"]
    assert sorted(["10", "9", "100", "2"], key=sort_key) == ["2", "9", "10", "100"]
    names = ["web-b", "Web-a", "api"]
    assert sorted(names, key=sort_key) == ["api", "Web-a", "web-b"]


def test_an_index_narrowing_as_the_user_types_finds_what_a_fresh_search_finds() -> None:
    """RowIndex narrows earlier results as a filter grows; a term that
    widens (`!kafka` after `!k`, `kaf` after `kafka`), another sort, or
    another context must never be answered from a narrower result."""
    import random

    from hybridtui.filtering import RowIndex

    rnd = random.Random(7)
    words = ["kafka", "web", "runner", "db", "cache", "kafk", "stop"]
    states = ["running", "stopped", "building", "error"]
    rows = [
        (
            f"{rnd.choice(words)}-{rnd.choice(['prod', 'dev'])}-{i:02d}",
            rnd.choice(states),
            rnd.choice(["-", f"198.51.100.{rnd.randrange(256)}"]),
            f"10.0.{rnd.randrange(4)}.{rnd.randrange(256)}",
            rnd.choice(["m5.large", "t3.micro", "gp3"]),
        )
        for i in range(1500)
    ]
    index = RowIndex(rows)
    sessions = [  # what a person types, keystroke by keystroke, then changes their mind
        ["k", "ka", "kaf", "kafka", "kafka !s", "kafka !st", "kafka !stopped", "kaf"],
        ["!k", "!ka", "!kafka", "state:r", "state:running", "state:runningx", "state:run"],
        ["name:kafka*", "name:kafka-p*", "name:kafka*", "^kafka-.*0$", "^kafka"],
        ["kafka 0", "kafka 01", "kafka 0", "cloud:a* web", "cloud:g* web", "web", ""],
    ]
    typed = [text for session in sessions for text in session]
    checked = 0
    for sort in (None, (2, True), (0, False)):
        for context in ({"cloud": "aws-1"}, {"cloud": "gce-1"}):
            for text in typed:
                q = Query.parse(text, HEADERS, list(context))
                fresh = [
                    i
                    for i in RowIndex(rows).order(sort)
                    if q.matches("\n".join(rows[i]).lower(), rows[i], context)
                ]
                assert index.select(q, context, sort) == fresh, (text, sort, context)
                checked += bool(fresh) and len(fresh) < len(rows)
    assert checked > 60, "most of the queries select some rows but not all"
