"""The format registry: names, kinds, options and the errors for bad ones."""
from __future__ import annotations

import pytest

from roles.registry import MultiFormat, SingleFormat, UnknownFormatError, format_names, get_format

KINDS = {"alpha-umi": "multi", "alpha-umi-backbone": "single", "toolllama": "single",
         "chat-multi": "multi", "chat-single": "single", "chat-fc": "single",
         "chat-fc-multi": "multi"}


def test_every_format_is_registered_with_its_interface() -> None:
    assert set(format_names()) == set(KINDS)
    for name, kind in KINDS.items():
        fmt = get_format(name)
        assert (fmt.name, fmt.kind) == (name, kind)
        assert isinstance(fmt, MultiFormat if kind == "multi" else SingleFormat)
        assert not isinstance(fmt, SingleFormat if kind == "multi" else MultiFormat)
        assert isinstance(fmt.stop, tuple) and all(isinstance(s, str) for s in fmt.stop)


def test_unknown_format_lists_the_valid_names() -> None:
    with pytest.raises(UnknownFormatError, match="alpha-umi-backbone.*chat-single") as err:
        get_format("alpha")
    assert isinstance(err.value, ValueError)


def test_options_reach_the_format() -> None:
    fmt = get_format("alpha-umi", doc_style="bare", system_prefix=True, unmarked="conclusion")
    assert (fmt.doc_style, fmt.system_prefix, fmt.unmarked) == ("bare", True, "conclusion")  # type: ignore[union-attr]
    assert get_format("alpha-umi-backbone", system_prefix=True).system_prefix  # type: ignore[union-attr]


@pytest.mark.parametrize(("name", "options", "message"), [
    ("alpha-umi-backbone", {"unmarked": "caller"}, "no option.*unmarked.*valid options: doc_style, system_prefix"),
    ("toolllama", {"doc_style": "bare"}, "valid options: history"),
    ("toolllama", {"history": "raw"}, "history must be one of"),
    ("alpha-umi", {"doc_style": "pretty"}, "doc_style must be one of"),
])
def test_bad_options_are_rejected(name: str, options: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        get_format(name, **options)


def test_every_registered_format_answers_to_its_name() -> None:
    for name in format_names():
        assert get_format(name).name == name
