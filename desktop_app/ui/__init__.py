"""The Qt layer: models, widgets, workers and the main window, over :mod:`desktop_app.core`.

Nothing here runs SQL; everything asks a :class:`~desktop_app.core.store.CodeStore`.
"""

from desktop_app.ui.qtcompat import protect_singletons

# Before any widget exists: PySide6 6.12.0 on Python < 3.12 would otherwise abort the process after enough
# Qt calls (see qtcompat). Done here so the app, the tests and the benchmark are all covered.
REFCOUNT_WORKAROUND_APPLIED = protect_singletons()
