from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.paginated_template_list import PaginatedTemplateList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    waba_id: UUID,
    *,
    limit: int | Unset = 50,
    page: int | Unset = 1,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["page"] = page

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/wabas/{waba_id}/message-templates".format(
            waba_id=quote(str(waba_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | PaginatedTemplateList | None:
    if response.status_code == 200:
        response_200 = PaginatedTemplateList.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = ErrorResponse.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | PaginatedTemplateList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    waba_id: UUID,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    page: int | Unset = 1,
) -> Response[ErrorResponse | PaginatedTemplateList]:
    """List the WABA's message templates, as Meta has them (cached briefly)

     Read from Meta within the WABA's Graph budget and cached for `MESSAGE_TEMPLATES_TTL_SECONDS`; a `503
    meta_unavailable` when Meta cannot be asked now.

    Args:
        waba_id (UUID):
        limit (int | Unset):  Default: 50.
        page (int | Unset):  Default: 1.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | PaginatedTemplateList]
    """

    kwargs = _get_kwargs(
        waba_id=waba_id,
        limit=limit,
        page=page,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    waba_id: UUID,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    page: int | Unset = 1,
) -> ErrorResponse | PaginatedTemplateList | None:
    """List the WABA's message templates, as Meta has them (cached briefly)

     Read from Meta within the WABA's Graph budget and cached for `MESSAGE_TEMPLATES_TTL_SECONDS`; a `503
    meta_unavailable` when Meta cannot be asked now.

    Args:
        waba_id (UUID):
        limit (int | Unset):  Default: 50.
        page (int | Unset):  Default: 1.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | PaginatedTemplateList
    """

    return sync_detailed(
        waba_id=waba_id,
        client=client,
        limit=limit,
        page=page,
    ).parsed


async def asyncio_detailed(
    waba_id: UUID,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    page: int | Unset = 1,
) -> Response[ErrorResponse | PaginatedTemplateList]:
    """List the WABA's message templates, as Meta has them (cached briefly)

     Read from Meta within the WABA's Graph budget and cached for `MESSAGE_TEMPLATES_TTL_SECONDS`; a `503
    meta_unavailable` when Meta cannot be asked now.

    Args:
        waba_id (UUID):
        limit (int | Unset):  Default: 50.
        page (int | Unset):  Default: 1.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | PaginatedTemplateList]
    """

    kwargs = _get_kwargs(
        waba_id=waba_id,
        limit=limit,
        page=page,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    waba_id: UUID,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    page: int | Unset = 1,
) -> ErrorResponse | PaginatedTemplateList | None:
    """List the WABA's message templates, as Meta has them (cached briefly)

     Read from Meta within the WABA's Graph budget and cached for `MESSAGE_TEMPLATES_TTL_SECONDS`; a `503
    meta_unavailable` when Meta cannot be asked now.

    Args:
        waba_id (UUID):
        limit (int | Unset):  Default: 50.
        page (int | Unset):  Default: 1.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | PaginatedTemplateList
    """

    return (
        await asyncio_detailed(
            waba_id=waba_id,
            client=client,
            limit=limit,
            page=page,
        )
    ).parsed
