"""Cursor pagination for the lists that grow (tokens, mandates, faults): stable under inserts."""

from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    """``?cursor=`` from the previous page's ``next``; ``?page_size=`` up to 100 (default 50)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-pk"
