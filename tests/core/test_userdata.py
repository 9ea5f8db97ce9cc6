"""core/userdata.py: favourites in named lists, notes and history, in their own file."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.userdata import DEFAULT_LIST, MAX_LIST_NAME, UserData, check_list_name, lists_in_order


def test_favourites_notes_and_history_persist(tmp_path: Path) -> None:
    path = tmp_path / "user.sqlite3"
    user = UserData(path)
    user.set_favourite("99990", True)
    user.create_list("Invented list")
    user.set_favourite("99991", True, "Invented list")
    user.set_note("99990", "an invented note")
    user.record_view("99990")
    user.record_view("99991")
    user.close()
    again = UserData(path)
    assert again.is_favourite("99990") and again.is_favourite("99991")
    assert set(again.lists()) >= {DEFAULT_LIST, "Invented list"}
    assert again.note("99990") == "an invented note"
    assert again.recent()[:2] == ["99991", "99990"]
    again.set_note("99990", "")
    assert again.note("99990") == ""
    again.close()


def test_list_names_are_checked() -> None:
    assert check_list_name("  Invented list ") == "Invented list"
    assert check_list_name("two\nlines") == "two lines"
    with pytest.raises(ValueError, match="needs a name"):
        check_list_name("   ")
    with pytest.raises(ValueError):
        check_list_name("x" * (MAX_LIST_NAME + 1))


def test_lists_of_names_the_lists_a_code_is_in_default_first(tmp_path: Path) -> None:
    user = UserData(tmp_path / "user.sqlite")
    assert user.lists_of("99990") == []
    user.set_favourite("99990", True, "Zeta invented")
    user.set_favourite("99990", True, "alpha invented")
    user.set_favourite("99990", True)
    assert user.lists_of("99990") == ["Favourites", "alpha invented", "Zeta invented"]
    user.set_favourite("99990", False, "alpha invented")  # one list only
    assert user.lists_of("99990") == ["Favourites", "Zeta invented"]
    user.set_favourite("99990", False)  # every list
    assert user.lists_of("99990") == []


@pytest.mark.parametrize(("names", "expected"), [
    (["Cardiology", "Favourites"], ["Favourites", "Cardiology"]),
    (["zeta", "Alpha", "Favourites", "beta"], ["Favourites", "Alpha", "beta", "zeta"]),
    (["Cardiology", "Cardiology"], ["Cardiology"]),
    ([], []),
])
def test_lists_in_order_is_the_one_order_every_view_uses(names: list[str], expected: list[str]) -> None:
    """The star's tooltip is built from the working-set snapshot as well as from ``lists_of``; both go through
    ``lists_in_order`` so the same code never reads "Cardiology, Favourites" in one place and the reverse in another."""
    assert lists_in_order(names) == expected
