from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

# What nearly every client sends (or nothing); each answers with the JSON renderer as DRF would.
_PLAIN_ACCEPT = frozenset({"*/*", "application/json"})


class JsonContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, answered without parsing when the request accepts JSON plainly.

    The API renders JSON only. DRF parsed the Accept header and ranked it against every renderer on
    every request; for no Accept header, `*/*` or `application/json` (and no `?format=` override)
    the answer is always the JSON renderer with `application/json`. Anything else (media type
    parameters, lists, other types) goes through DRF's full negotiation, 406 included.
    """

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        accept = request.META.get("HTTP_ACCEPT", "*/*").strip()  # DRF reads a missing header as */*
        if (
            accept in _PLAIN_ACCEPT
            and not format_suffix
            and renderers
            and renderers[0].media_type == "application/json"
            and not self._may_override(request)
        ):
            return renderers[0], "application/json"
        return super().select_renderer(request, renderers, format_suffix)

    def _may_override(self, request: Request) -> bool:
        # The raw query string, not request.query_params: building the QueryDict cost more than the
        # rest of this method. Any mention of the parameter's name goes to DRF's full negotiation.
        override = self.settings.URL_FORMAT_OVERRIDE
        return bool(override) and override in request.META.get("QUERY_STRING", "")
