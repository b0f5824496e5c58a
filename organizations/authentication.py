from dataclasses import dataclass

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from core import logging as log_context
from organizations.models import ApiKey, Organization
from organizations.services import api_key_authenticate


@dataclass(frozen=True)
class ApiPrincipal:
    """`request.user` for API requests: the organization that owns the key."""

    organization: Organization
    api_key: ApiKey
    is_authenticated: bool = True
    is_anonymous: bool = False


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer sk_org_...`; missing, malformed, unknown and revoked keys are 401."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[ApiPrincipal, ApiKey] | None:
        header = request.headers.get("Authorization")
        if header is None:
            return None
        scheme, _, secret = header.strip().partition(" ")
        secret = secret.strip()
        if scheme.lower() != "bearer" or not secret or " " in secret:
            raise AuthenticationFailed("The Authorization header must be 'Bearer sk_org_...'.")
        api_key = api_key_authenticate(secret=secret)
        if api_key is None:
            raise AuthenticationFailed("The API key is invalid or has been revoked.")
        log_context.bind(organization_id=api_key.organization_id)
        return ApiPrincipal(organization=api_key.organization, api_key=api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
