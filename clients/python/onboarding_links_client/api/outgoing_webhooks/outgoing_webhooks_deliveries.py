from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.outgoing_webhooks_deliveries_status import OutgoingWebhooksDeliveriesStatus
from ...models.paginated_delivery_out_list import PaginatedDeliveryOutList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: str,
    *,
    limit: int | Unset = 50,
    page: int | Unset = 1,
    status: OutgoingWebhooksDeliveriesStatus | Unset = UNSET,
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
        "url": "/v1/outgoing-webhooks/{id}/deliveries".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | PaginatedDeliveryOutList | None:
    if response.status_code == 200:
        response_200 = PaginatedDeliveryOutList.from_dict(response.json())

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
) -> Response[ErrorResponse | PaginatedDeliveryOutList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    page: int | Unset = 1,
    status: OutgoingWebhooksDeliveriesStatus | Unset = UNSET,
) -> Response[ErrorResponse | PaginatedDeliveryOutList]:
    """Deliveries to this webhook, newest first, each with its attempts

    Args:
        id (str):
        limit (int | Unset):  Default: 50.
        page (int | Unset):  Default: 1.
        status (OutgoingWebhooksDeliveriesStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | PaginatedDeliveryOutList]
    """

    kwargs = _get_kwargs(
        id=id,
        limit=limit,
        page=page,
        status=status,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    page: int | Unset = 1,
    status: OutgoingWebhooksDeliveriesStatus | Unset = UNSET,
) -> ErrorResponse | PaginatedDeliveryOutList | None:
    """Deliveries to this webhook, newest first, each with its attempts

    Args:
        id (str):
        limit (int | Unset):  Default: 50.
        page (int | Unset):  Default: 1.
        status (OutgoingWebhooksDeliveriesStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | PaginatedDeliveryOutList
    """

    return sync_detailed(
        id=id,
        client=client,
        limit=limit,
        page=page,
        status=status,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    page: int | Unset = 1,
    status: OutgoingWebhooksDeliveriesStatus | Unset = UNSET,
) -> Response[ErrorResponse | PaginatedDeliveryOutList]:
    """Deliveries to this webhook, newest first, each with its attempts

    Args:
        id (str):
        limit (int | Unset):  Default: 50.
        page (int | Unset):  Default: 1.
        status (OutgoingWebhooksDeliveriesStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | PaginatedDeliveryOutList]
    """

    kwargs = _get_kwargs(
        id=id,
        limit=limit,
        page=page,
        status=status,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    page: int | Unset = 1,
    status: OutgoingWebhooksDeliveriesStatus | Unset = UNSET,
) -> ErrorResponse | PaginatedDeliveryOutList | None:
    """Deliveries to this webhook, newest first, each with its attempts

    Args:
        id (str):
        limit (int | Unset):  Default: 50.
        page (int | Unset):  Default: 1.
        status (OutgoingWebhooksDeliveriesStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | PaginatedDeliveryOutList
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            limit=limit,
            page=page,
            status=status,
        )
    ).parsed
