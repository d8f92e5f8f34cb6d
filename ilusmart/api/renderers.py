"""The API's JSON renderer: DRF's, plus a pass-through for answers a view encoded itself.

A readings answer holds thousands of items of one fixed shape (``meters.api.serializers``);
building a dict per item and running ``json.dumps`` over them cost as much as reading the
data (benchmarks/README.md). Such a view writes the items' JSON text itself and hands the
renderer an ``EncodedJson``: the same bytes DRF's renderer would produce, for a fraction of
the time. Everything else (content negotiation, errors, headers) stays DRF's.
"""

import json

from rest_framework.renderers import JSONRenderer


class EncodedJson:
    """A JSON document already encoded as DRF's renderer would (compact, UTF-8)."""

    __slots__ = ("content",)

    def __init__(self, content: bytes):
        self.content = content

    @classmethod
    def with_list(cls, head: dict, name: str, items_json: str) -> "EncodedJson":
        """``head`` (rendered by DRF's renderer) with one more member ``name``: the JSON array text
        ``items_json``, written by the caller (compact, ASCII or UTF-8, no U+2028/U+2029)."""
        rendered = JSONRenderer().render(head)
        return cls(rendered[:-1] + ("," if head else "").encode() + f'"{name}":{items_json}}}'.encode())


class ApiJSONRenderer(JSONRenderer):
    """DRF's ``JSONRenderer``; an ``EncodedJson`` goes out as it is (re-indented if the client
    asked for ``application/json; indent=N``, as DRF would)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, EncodedJson):
            if self.get_indent(accepted_media_type, renderer_context or {}) is None:
                return data.content
            data = json.loads(data.content)
        return super().render(data, accepted_media_type, renderer_context)
