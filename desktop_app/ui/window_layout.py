"""Figures the main window's parts share: tabs, page size, how often it looks for changes elsewhere."""

RESULT_LIMIT = 200
FIRST_PAGE = 50  # hits in a typed search's first answer: more than a list shows; the rest come on scrolling
STALENESS_POLL_MS = 1000  # a change made elsewhere shows within two seconds
SEARCH_TAB, COMPARE_TAB, COMPARE_CODES_TAB = 0, 1, 2
