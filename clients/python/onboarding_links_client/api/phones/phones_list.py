from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.paginated_phone_list import PaginatedPhoneList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    external_id: str | Unset = UNSET,
    limit: int | Unset = 50,
    page: int | Unset = 1,
    waba_id: UUID | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["externalId"] = external_id

    params["limit"] = limit

    params["page"] = page

    json_waba_id: str | Unset = UNSET
    if not isinstance(waba_id, Unset):
        json_waba_id = str(waba_id)
    params["wabaId"] = json_waba_id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/phones",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | PaginatedPhoneList | None:
    if response.status_code == 200:
        response_200 = PaginatedPhoneList.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

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
) -> Response[ErrorResponse | PaginatedPhoneList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    external_id: str | Unset = UNSET,
    limit: int | Unset = 50,
    page: int | Unset = 1,
    waba_id: UUID | Unset = UNSET,
) -> Response[ErrorResponse | PaginatedPhoneList]:
    """List connected phones, newest first

     `connectedAccount` in lists is built from stored facts (no live Graph lookups); `GET
    /v1/phones/{id}` refreshes it.

    Args:
        external_id (str | Unset):
        limit (int | Unset):  Default: 50.
        page (int | Unset):  Default: 1.
        waba_id (UUID | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | PaginatedPhoneList]
    """

    kwargs = _get_kwargs(
        external_id=external_id,
        limit=limit,
        page=page,
        waba_id=waba_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    external_id: str | Unset = UNSET,
    limit: int | Unset = 50,
    page: int | Unset = 1,
    waba_id: UUID | Unset = UNSET,
) -> ErrorResponse | PaginatedPhoneList | None:
    """List connected phones, newest first

     `connectedAccount` in lists is built from stored facts (no live Graph lookups); `GET
    /v1/phones/{id}` refreshes it.

    Args:
        external_id (str | Unset):
        limit (int | Unset):  Default: 50.
        page (int | Unset):  Default: 1.
        waba_id (UUID | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | PaginatedPhoneList
    """

    return sync_detailed(
        client=client,
        external_id=external_id,
        limit=limit,
        page=page,
        waba_id=waba_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    external_id: str | Unset = UNSET,
    limit: int | Unset = 50,
    page: int | Unset = 1,
    waba_id: UUID | Unset = UNSET,
) -> Response[ErrorResponse | PaginatedPhoneList]:
    """List connected phones, newest first

     `connectedAccount` in lists is built from stored facts (no live Graph lookups); `GET
    /v1/phones/{id}` refreshes it.

    Args:
        external_id (str | Unset):
        limit (int | Unset):  Default: 50.
        page (int | Unset):  Default: 1.
        waba_id (UUID | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | PaginatedPhoneList]
    """

    kwargs = _get_kwargs(
        external_id=external_id,
        limit=limit,
        page=page,
        waba_id=waba_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    external_id: str | Unset = UNSET,
    limit: int | Unset = 50,
    page: int | Unset = 1,
    waba_id: UUID | Unset = UNSET,
) -> ErrorResponse | PaginatedPhoneList | None:
    """List connected phones, newest first

     `connectedAccount` in lists is built from stored facts (no live Graph lookups); `GET
    /v1/phones/{id}` refreshes it.

    Args:
        external_id (str | Unset):
        limit (int | Unset):  Default: 50.
        page (int | Unset):  Default: 1.
        waba_id (UUID | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | PaginatedPhoneList
    """

    return (
        await asyncio_detailed(
            client=client,
            external_id=external_id,
            limit=limit,
            page=page,
            waba_id=waba_id,
        )
    ).parsed
