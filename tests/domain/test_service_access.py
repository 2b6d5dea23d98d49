"""The service rule and the time box, as pure functions."""

from __future__ import annotations

from datetime import date

import pytest

from domain.access import check_service, holds_service, services_in_view, window_refusal


def test_every_service_holds_anything_including_records_of_no_service() -> None:
    assert holds_service(None, "luton") and holds_service(None, None)


def test_named_services_hold_only_themselves() -> None:
    luton = frozenset({"luton"})
    assert holds_service(luton, "luton")
    assert not holds_service(luton, "bedford")
    assert not holds_service(luton, None)


def test_a_list_covers_the_asked_service_only_when_held() -> None:
    luton = frozenset({"luton", "milton-keynes"})
    assert services_in_view(luton, None) == luton
    assert services_in_view(luton, "luton") == {"luton"}
    assert services_in_view(luton, "bedford") == frozenset()
    assert services_in_view(None, None) is None
    assert services_in_view(None, "bedford") == {"bedford"}


def test_the_window_includes_both_days() -> None:
    start, end = date(2026, 12, 1), date(2026, 12, 19)
    assert window_refusal(start, end, start) is None
    assert window_refusal(start, end, end) is None
    assert window_refusal(start, end, date(2026, 11, 30)) == "access is granted from 2026-12-01, not before"
    assert window_refusal(start, end, date(2026, 12, 20)) == "access ended on 2026-12-19"
    assert window_refusal(None, None, date(2030, 1, 1)) is None


@pytest.mark.parametrize("slug", ["", "Luton", "lu ton", "-luton", "luton-", "a" * 51, "luton/x"])
def test_service_slugs_are_checked(slug: str) -> None:
    with pytest.raises(ValueError, match="invalid service"):
        check_service(slug)
