"""Reading many small files: a short text is parsed once yet each file gets a table of its own, the memo
stays bounded, and a read that returns less than asked for is read on."""

from __future__ import annotations

import os
import threading
import time

from tracker import load


def test_each_file_gets_a_table_of_its_own():
    for path in ("a.toml", "b.toml", "c.toml"):  # parsed, then found in the memo, twice
        parsed = load.parse_text(path, "link", 'stance = "advances"\n')
        assert not isinstance(parsed, load.Problem)
        assert (parsed.path, parsed.data) == (path, {"stance": "advances"})
        parsed.data["stance"] = "changed by its reader"


def test_a_table_that_holds_a_list_is_parsed_afresh_each_time():
    first = load.parse_text("a.toml", "event", "sources = [\"https://example.org\"]\n")
    assert not isinstance(first, load.Problem)
    first.data["sources"].append("https://example.com")
    second = load.parse_text("b.toml", "event", "sources = [\"https://example.org\"]\n")
    assert not isinstance(second, load.Problem)
    assert second.data == {"sources": ["https://example.org"]}


def test_the_memo_of_short_texts_stays_bounded():
    for n in range(load.SHORT_TEXTS + 10):
        load.parse_text("n.toml", "link", f"n = {n}\n")
    assert len(load._PARSED) <= load.SHORT_TEXTS


def test_a_short_read_is_read_on():
    """One read may return less than asked for (a network disk, a pipe): the rest is read too."""
    inlet, outlet = os.pipe()

    def write() -> None:
        os.write(outlet, b"stance = ")
        time.sleep(0.2)
        os.write(outlet, b'"advances"\n')
        os.close(outlet)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert load._read(inlet, 100) == b'stance = "advances"\n'
    finally:
        writer.join()
        os.close(inlet)
