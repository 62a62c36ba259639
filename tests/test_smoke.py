"""The shipped example works end to end."""

import json

from helpers import SHIPPED


def test_shipped_report_is_contradicted(tracker, kz):
    result = tracker("report", "--country", "KZ", "--as-of", "2019-09-30", "--format", "json")
    data = json.loads(result.stdout)
    (promise,) = data["promises"]
    assert (promise["verdict"], promise["support"], promise["against"], promise["score"]) == ("contradicted", 2, 10, 17)


def test_shipped_records_pass_check(tracker, monkeypatch):
    monkeypatch.chdir(SHIPPED.parent)
    result = tracker("check")
    assert "0 errors" in result.stderr
