"""The record types (tracker.model), whose repr, comparison and hash are written once in their base class rather
than generated for each, are what dataclass(frozen=True, slots=True) makes of their fields; the settings and
dates are plain frozen dataclasses.

Each class is held to a reference that dataclass itself builds, here, from the same fields: the same
__init__ (signature and defaults), __slots__, fields, repr, eq, hash, frozen-ness and pickling."""

import copy
import dataclasses
import inspect
import pickle

import pytest

from tracker import model
from tracker.dates import PartialDate

SLOTTED = (model.Statement, model.Rating, model.Promise, model.Link, model.Event, model.Term, model.Part,
           model.Problem)
FROZEN = (*SLOTTED, model.Config, model.Records, PartialDate)


def reference(cls: type) -> type:
    """What dataclass(frozen=True), with slots=True for a record type, makes of cls's fields, in a class of
    cls's name and base."""
    namespace: dict[str, object] = {"__annotations__": {}, "__module__": cls.__module__,
                                    "__qualname__": cls.__qualname__, "__doc__": cls.__doc__}
    for f in dataclasses.fields(cls):
        namespace["__annotations__"][f.name] = f.type  # type: ignore[index]
        if f.default_factory is not dataclasses.MISSING:
            namespace[f.name] = dataclasses.field(default_factory=f.default_factory)
        elif f.default is not dataclasses.MISSING:
            namespace[f.name] = f.default
    slots = cls in SLOTTED
    base = model.Slotted if slots else object
    return dataclasses.dataclass(frozen=True, slots=slots)(type(cls.__name__, (base,), namespace))


def samples(cls: type) -> list[dict[str, object]]:
    """The required fields alone, and every field given, with values of the fields' sorts."""
    values = {"date": PartialDate(2019, 6), "start": PartialDate(2019), "end": PartialDate(2024),
              "deadline": PartialDate(2020, 1, 1), "line": 3, "severity": 2, "counts": {"detained": 4},
              "sources": ("https://example.org/a",), "topics": ("courts",), "actors": ("police",),
              "statements": (model.Statement(PartialDate(2019)),), "ratings": (), "links": (model.Link("p", "breaks"),),
              "item": model.Link("p", "fulfills"), "year": 2019, "month": 6, "multipliers": {"breaks": 2.0},
              "auto_commit": True, "term_due": False, "config": model.Config(), "problems": (model.Problem("p", "m"),),
              "promises": (), "events": (), "terms": (), "old_layout": ("kz/x.toml",)}
    fields = dataclasses.fields(cls)
    required = {f.name: values.get(f.name, f"{f.name}-x") for f in fields
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    return [required, {f.name: values.get(f.name, f"{f.name}-y") for f in fields}]


def hashed(record: object) -> object:
    """The record's hash, or the error hashing it gives (an event's counts are a dict)."""
    try:
        return hash(record)
    except TypeError as error:
        return str(error)


@pytest.mark.parametrize("cls", FROZEN, ids=lambda cls: cls.__name__)
def test_a_frozen_type_is_what_dataclass_makes_of_its_fields(cls: type):
    ref = reference(cls)
    assert vars(cls).get("__slots__") == vars(ref).get("__slots__") and cls.__match_args__ == ref.__match_args__
    assert str(inspect.signature(cls)) == str(inspect.signature(ref))
    assert cls.__doc__ == ref.__doc__
    made_by, made_for_ref = cls.__dataclass_params__, ref.__dataclass_params__  # type: ignore[attr-defined]
    assert (made_by.init, made_by.frozen, made_by.order) == (made_for_ref.init, made_for_ref.frozen, made_for_ref.order)
    assert [(f.name, f.type, f.default, f.default_factory) for f in dataclasses.fields(cls)] == \
        [(f.name, f.type, f.default, f.default_factory) for f in dataclasses.fields(ref)]
    made = [cls(**kwargs) for kwargs in samples(cls)]
    expected = [ref(**kwargs) for kwargs in samples(cls)]
    assert [repr(record) for record in made] == [repr(record) for record in expected]
    assert [hashed(record) for record in made] == [hashed(record) for record in expected]
    assert [dataclasses.astuple(record) for record in made] == [dataclasses.astuple(record) for record in expected]
    first, full = made
    assert first == cls(**samples(cls)[0]) and first != full and first != expected[0]  # another class is never equal
    assert dataclasses.replace(first, **samples(cls)[1]) == full
    assert hasattr(first, "__dict__") is (cls not in SLOTTED)
    for record in made:
        assert pickle.loads(pickle.dumps(record)) == record and copy.deepcopy(record) == record
    for name in cls.__match_args__:
        with pytest.raises(dataclasses.FrozenInstanceError, match=f"cannot assign to field '{name}'"):
            setattr(first, name, None)
        with pytest.raises(dataclasses.FrozenInstanceError, match=f"cannot delete field '{name}'"):
            delattr(first, name)
    refusals = []
    for record in (first, expected[0]):  # nor any other name, refused alike
        with pytest.raises(Exception) as refused:
            record.other = 1
        refusals.append(type(refused.value))
    assert refusals[0] is refusals[1]


@pytest.mark.parametrize("cls", SLOTTED, ids=lambda cls: cls.__name__)
def test_a_record_types_repr_comparison_and_hash_are_written_once_not_generated(cls: type):
    """dataclass compiles generated source for each method of each class it makes, at every start-up, which
    every write pays for: the record types take these three from their base class."""
    assert [getattr(cls, name) for name in ("__repr__", "__eq__", "__hash__")] == \
        [getattr(model.Slotted, name) for name in ("__repr__", "__eq__", "__hash__")]


def test_a_default_made_by_a_factory_is_new_for_each_record():
    one, two = (model.Event("e", "KZ", PartialDate(2019), "t") for _ in range(2))
    assert one.counts == {} and one.counts is not two.counts


def test_a_record_that_holds_itself_is_shown_without_end():
    counts: dict[str, object] = {}
    event = model.Event("e", "KZ", PartialDate(2019), "t", counts=counts)  # type: ignore[arg-type]
    counts["self"] = event
    assert repr(event).count("...") == 1
