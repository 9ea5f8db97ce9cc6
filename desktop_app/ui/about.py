"""The About dialog: version, where the data comes from, and the copyright notices we owe."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from desktop_app import __version__
from desktop_app.core.code_compare import release_in_name
from desktop_app.core.errors import printable
from desktop_app.core.kinds import SourceKind
from desktop_app.core.store import SourceInfo

NOTICES = (
    "CPT\u00ae is a registered trademark of the American Medical Association (AMA). CPT descriptors "
    "are \u00a9 AMA; CodeDesk ships none of them and shows them only from files you import under your "
    "own licence.",
    "CDT (the D codes of HCPCS Level II) is \u00a9 the American Dental Association (ADA); CodeDesk "
    "shows CDT text only from files you import.",
    "HCPCS Level II is maintained by CMS and is in the public domain.",
    "Summaries labelled \u201cCodeDesk plain-language summary (our own words)\u201d are written by "
    "the CodeDesk team and are not official descriptors. CodeDesk is a reference, not billing or "
    "medical advice.",
)


def about_html(sources: list[SourceInfo]) -> str:
    rows = "".join(
        f"<li><b>{escape(s.name)}</b>"
        + (f" \u2014 release {escape(s.release)}" if s.kind != SourceKind.BUNDLED
           and not release_in_name(s.name, s.release) else "")
        + (f", effective {escape(s.effective_date)}" if s.effective_date else "")
        + f" <i>({escape(printable(s.file_name))})</i></li>"
        for s in sources
    )
    notices = "".join(f"<p>{escape(n)}</p>" for n in NOTICES)
    return (
        f"<h2>CodeDesk {escape(__version__)}</h2>"
        "<p>An offline desktop reference for US procedure codes: CPT Category I, II and III and "
        "HCPCS Level II.</p>"
        f"<h3>Data sources loaded</h3><ul>{rows or '<li>none</li>'}</ul>"
        f"<h3>Notices</h3>{notices}"
    )


class AboutDialog(QDialog):
    def __init__(self, sources: list[SourceInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About CodeDesk")
        self.setObjectName("aboutDialog")
        self.setAccessibleName("About CodeDesk")
        self.label = QLabel(about_html(sources), self)
        self.label.setWordWrap(True)
        self.label.setMinimumWidth(460)
        self.label.setOpenExternalLinks(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(buttons)
