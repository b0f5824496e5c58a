from typing import Any

from django.http import HttpResponse
from rest_framework.renderers import JSONRenderer

_JSON = JSONRenderer()


def json_response(data: Any, status: int = 200) -> HttpResponse:
    """`Response(data, status)` as the API renders it (DRF's JSONRenderer: compact UTF-8, U+2028 and
    U+2029 escaped, NaN refused), as a plain HttpResponse: no template response to render later.
    DRF's view still adds its headers and handles exceptions; use it only in views whose content
    negotiation cannot choose another renderer (the API has only JSON). Like a DRF Response, it
    keeps `data` (core.api.idempotency saves it)."""
    response = HttpResponse(_JSON.render(data), status=status, content_type=_JSON.media_type)
    response.data = data
    return response


def json_text_response(text: str, status: int = 200) -> HttpResponse:
    """A response whose JSON text is written already (rendered by the database), escaped as
    JSONRenderer escapes: U+2028 and U+2029, which JavaScript string literals cannot hold."""
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return HttpResponse(text, status=status, content_type=_JSON.media_type)
