"""Writes to the user's own database go through the worker (``ui/user_requests.py``): never coalesced or dropped
as stale, applied in the order posted and before waiting reads, refusals answered (not raised), and the waiting
ones finished when the service shuts down."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.core.userdata import UserData, unsaved_notes_path
from desktop_app.ui.requests import DetailAnswer, DetailRequest, WorkingSetAnswer, WorkingSetRequest
from desktop_app.ui.user_requests import (
    CreateListRequest,
    ListChanged,
    NoteSaved,
    RenameListRequest,
    SetFavouriteRequest,
    SetNoteRequest,
)
from desktop_app.ui.worker import StoreService

from .conftest import WAIT_MS


def _service(ui_db: Path, user_path: Path) -> tuple[StoreService, UserData]:
    user = UserData(user_path)
    return StoreService(ui_db, user=user), user


def test_writes_of_one_kind_are_all_applied_in_order_and_all_answered(qtbot: QtBot, ui_db: Path,
                                                                       tmp_path: Path) -> None:
    service, _ = _service(ui_db, tmp_path / "user.sqlite3")
    saved: list[NoteSaved] = []
    service.on(NoteSaved, saved.append)
    try:
        texts = [f"draft {i}" for i in range(12)]
        for text in texts:  # a burst, as typing pauses would post them: a search burst would be coalesced
            service.post(SetNoteRequest("99213", text))
        qtbot.waitUntil(lambda: len(saved) == len(texts), timeout=WAIT_MS)
        assert [answer.text for answer in saved] == texts and not any(answer.problem for answer in saved)
        assert service.dropped == 0
        details: list[DetailAnswer] = []
        service.on(DetailAnswer, details.append)
        service.post(SetFavouriteRequest("99213", True))
        service.post(DetailRequest("99213"))  # posted after the write: reads what it wrote
        qtbot.waitUntil(lambda: bool(details), timeout=WAIT_MS)
        assert details[0].user is not None
        assert details[0].user.favourite and details[0].user.note == "draft 11"
    finally:
        service.shutdown()
    check = UserData(tmp_path / "user.sqlite3")
    assert check.note("99213") == "draft 11" and check.is_favourite("99213")
    check.close()


def test_a_refused_write_is_an_answer_and_later_writes_still_run(qtbot: QtBot, ui_db: Path, tmp_path: Path) -> None:
    service, _ = _service(ui_db, tmp_path / "user.sqlite3")
    changed: list[ListChanged] = []
    service.on(ListChanged, changed.append)
    snapshots: list[WorkingSetAnswer] = []
    service.on(WorkingSetAnswer, snapshots.append)
    try:
        service.post(CreateListRequest("Cardiology"))
        service.post(RenameListRequest("Favourites", "Mine"))  # the default list keeps its name: refused
        service.post(CreateListRequest("Orthopaedics"))
        service.post(WorkingSetRequest())
        qtbot.waitUntil(lambda: len(changed) == 3 and bool(snapshots), timeout=WAIT_MS)
        assert [c.name for c in changed] == ["Cardiology", None, "Orthopaedics"]
        assert "keeps its name" in changed[1].problem and not changed[0].problem
        assert snapshots[0].snapshot.lists == ["Favourites", "Cardiology", "Orthopaedics"]
    finally:
        service.shutdown()


def test_shutdown_finishes_waiting_writes(qtbot: QtBot, ui_db: Path, tmp_path: Path) -> None:
    service, _ = _service(ui_db, tmp_path / "user.sqlite3")
    for i in range(50):
        service.post(SetNoteRequest(f"9921{i % 10}", f"note {i}"))
    service.shutdown()  # at once: nothing was answered yet, yet every write is made
    check = UserData(tmp_path / "user.sqlite3")
    assert {e.code: e.text for e in check.note_entries()} == {f"9921{i}": f"note {40 + i}" for i in range(10)}
    check.close()
    assert not unsaved_notes_path(tmp_path / "user.sqlite3").exists()


def test_without_user_data_a_write_is_refused_with_a_reason(qtbot: QtBot, ui_db: Path) -> None:
    service = StoreService(ui_db)
    saved: list[NoteSaved] = []
    service.on(NoteSaved, saved.append)
    details: list[DetailAnswer] = []
    service.on(DetailAnswer, details.append)
    try:
        assert not service.user_data_on
        service.post(SetNoteRequest("99213", "x"))
        service.detail("99213", record_view=True)
        qtbot.waitUntil(lambda: bool(saved) and bool(details), timeout=WAIT_MS)
        assert "off for this session" in saved[0].problem
        assert details[0].user is None and details[0].detail.code == "99213"
    finally:
        service.shutdown()
