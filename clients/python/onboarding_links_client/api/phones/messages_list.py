from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.messages_list_status import MessagesListStatus
from ...models.paginated_outgoing_message_list import PaginatedOutgoingMessageList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    phone_id: UUID,
    *,
    limit: int | Unset = 50,
    page: int | Unset = 1,
    status: MessagesListStatus | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["page"] = page

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/phones/{phone_id}/messages".format(
            phone_id=quote(str(phone_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | PaginatedOutgoingMessageList | None:
    if response.status_code == 200:
        response_200 = PaginatedOutgoingMessageList.from_dict(response.json())

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
) -> Response[ErrorResponse | PaginatedOutgoingMessageList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    phone_id: UUID,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    page: int | Unset = 1,
    status: MessagesListStatus | Unset = UNSET,
) -> Response[ErrorResponse | PaginatedOutgoingMessageList]:
    """List the phone's messages, newest first

    Args:
        phone_id (UUID):
        limit (int | Unset):  Default: 50.
        page (int | Unset):  Default: 1.
        status (MessagesListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | PaginatedOutgoingMessageList]
    """

    kwargs = _get_kwargs(
        phone_id=phone_id,
        limit=limit,
        page=page,
        status=status,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    phone_id: UUID,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    page: int | Unset = 1,
    status: MessagesListStatus | Unset = UNSET,
) -> ErrorResponse | PaginatedOutgoingMessageList | None:
    """List the phone's messages, newest first

    Args:
        phone_id (UUID):
        limit (int | Unset):  Default: 50.
        page (int | Unset):  Default: 1.
        status (MessagesListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | PaginatedOutgoingMessageList
    """

    return sync_detailed(
        phone_id=phone_id,
        client=client,
        limit=limit,
        page=page,
        status=status,
    ).parsed


async def asyncio_detailed(
    phone_id: UUID,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    page: int | Unset = 1,
    status: MessagesListStatus | Unset = UNSET,
) -> Response[ErrorResponse | PaginatedOutgoingMessageList]:
    """List the phone's messages, newest first

    Args:
        phone_id (UUID):
        limit (int | Unset):  Default: 50.
        page (int | Unset):  Default: 1.
        status (MessagesListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | PaginatedOutgoingMessageList]
    """

    kwargs = _get_kwargs(
        phone_id=phone_id,
        limit=limit,
        page=page,
        status=status,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    phone_id: UUID,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    page: int | Unset = 1,
    status: MessagesListStatus | Unset = UNSET,
) -> ErrorResponse | PaginatedOutgoingMessageList | None:
    """List the phone's messages, newest first

    Args:
        phone_id (UUID):
        limit (int | Unset):  Default: 50.
        page (int | Unset):  Default: 1.
        status (MessagesListStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | PaginatedOutgoingMessageList
    """

    return (
        await asyncio_detailed(
            phone_id=phone_id,
            client=client,
            limit=limit,
            page=page,
            status=status,
        )
    ).parsed
