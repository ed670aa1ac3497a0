"""One guard for every loop over pages or tokens: no repeat, a page budget, a byte budget.

Why one object: Marker paging (``AlibabaClient.pages``), the credential report's ``NextToken``
and PageNumber paging all trust the server to say when the listing ends. A server that never
does (a new Marker every page, an endless token, pages of garbage) must stop the loop with one
line naming the action, long before memory, disk or patience run out. Each loop makes a
``PageGuard`` and tells it about every page and every token; the guard raises
:class:`PagingError` when the listing cannot be real. Budgets come from ``limits``.
"""

from __future__ import annotations

from ._errors import PagingError
from .limits import byte_budget, page_budget

__all__ = ["PageGuard", "PagingError"]


class PageGuard:
    """Counts the pages and bytes of one listing and refuses a token seen before."""

    def __init__(
        self, service: str, action: str, page_size: int | None, *,
        max_pages: int | None = None, max_bytes: int | None = None,
    ) -> None:
        key = f"{service}:{action}"
        self.service = service
        self.action = action
        self.max_pages = max_pages if max_pages is not None else page_budget(key, page_size)
        self.max_bytes = max_bytes if max_bytes is not None else byte_budget(key)
        self.pages = 0
        self.bytes = 0
        self._tokens: set[str] = set()

    def page(self, size: int) -> None:
        """Count one page of ``size`` bytes; raise when the listing outgrew any real account."""
        self.pages += 1
        self.bytes += size
        if self.pages > self.max_pages:
            raise self._error(
                "PageBudgetExceeded",
                f"the listing went on past {self.max_pages} pages, more than an account can "
                "hold")
        if self.bytes > self.max_bytes:
            raise self._error(
                "ByteBudgetExceeded",
                f"the listing went on past {self.max_bytes // (1024 * 1024)} MiB, more than an "
                "account can hold")

    def token(self, name: str, value: object) -> str:
        """The next page's token (``Marker``, ``NextToken``): a non-empty string never seen
        before in this listing, else an error (a truncated page must lead somewhere new)."""
        if not isinstance(value, str) or not value:
            raise self._error(f"Invalid{name}", f"a truncated page came without a {name}")
        if value in self._tokens:
            raise self._error(f"Repeated{name}",
                              f"a truncated page repeated an earlier {name} (a loop)")
        self._tokens.add(value)
        return value

    def _error(self, code: str, message: str) -> PagingError:
        return PagingError(code, message, action=self.action, service=self.service)
