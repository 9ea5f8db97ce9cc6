"""Figures the main window's parts share: tabs, page size, how often it looks for changes elsewhere."""

RESULT_LIMIT = 200
FIRST_PAGE = 50  # hits in a typed search's first answer: more than a list shows; the rest come on scrolling
STALENESS_POLL_MS = 1000  # a change made elsewhere shows within two seconds
SEARCH_TAB, COMPARE_TAB, COMPARE_CODES_TAB = 0, 1, 2
# A code the selection only passed over (arrow keys, a click on a row) joins Back and Recent once it has been shown
# this long: scanning 30 rows leaves no 30 entries, reading one does. Opening a code (Enter, a double-click, a link,
# the working set) or using it (copy, star, note) records it at once.
VIEW_DWELL_MS = 1000
# A code typed whole shows its detail once the typing pauses this long (keys typed on cost nothing more).
TYPED_CODE_PAUSE_MS = 150
# The Notes tab is read again this long after the last note written (a note is written as the typing pauses).
NOTES_RELOAD_MS = 300
