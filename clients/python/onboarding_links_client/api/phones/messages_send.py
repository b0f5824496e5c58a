from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.message_create_request import MessageCreateRequest
from ...models.message_response import MessageResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    phone_id: UUID,
    *,
    body: MessageCreateRequest,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/phones/{phone_id}/messages".format(
            phone_id=quote(str(phone_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | MessageResponse | None:
    if response.status_code == 202:
        response_202 = MessageResponse.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorResponse.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = ErrorResponse.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorResponse.from_dict(response.json())

        return response_415

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
) -> Response[ErrorResponse | MessageResponse]:
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
    body: MessageCreateRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorResponse | MessageResponse]:
    """Send a message from a connected phone (queued: answers 202 `accepted`)

     A `409 phone_not_ready` names the reason (disconnected, not_registered, token_invalid).

    Args:
        phone_id (UUID):
        idempotency_key (str | Unset):
        body (MessageCreateRequest): Input serializer that rejects unknown body fields, so
            `redirectURL` never passes silently,
            and values whose JSON type is not the field's (`json_type_problem`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | MessageResponse]
    """

    kwargs = _get_kwargs(
        phone_id=phone_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    phone_id: UUID,
    *,
    client: AuthenticatedClient,
    body: MessageCreateRequest,
    idempotency_key: str | Unset = UNSET,
) -> ErrorResponse | MessageResponse | None:
    """Send a message from a connected phone (queued: answers 202 `accepted`)

     A `409 phone_not_ready` names the reason (disconnected, not_registered, token_invalid).

    Args:
        phone_id (UUID):
        idempotency_key (str | Unset):
        body (MessageCreateRequest): Input serializer that rejects unknown body fields, so
            `redirectURL` never passes silently,
            and values whose JSON type is not the field's (`json_type_problem`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | MessageResponse
    """

    return sync_detailed(
        phone_id=phone_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    phone_id: UUID,
    *,
    client: AuthenticatedClient,
    body: MessageCreateRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorResponse | MessageResponse]:
    """Send a message from a connected phone (queued: answers 202 `accepted`)

     A `409 phone_not_ready` names the reason (disconnected, not_registered, token_invalid).

    Args:
        phone_id (UUID):
        idempotency_key (str | Unset):
        body (MessageCreateRequest): Input serializer that rejects unknown body fields, so
            `redirectURL` never passes silently,
            and values whose JSON type is not the field's (`json_type_problem`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | MessageResponse]
    """

    kwargs = _get_kwargs(
        phone_id=phone_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    phone_id: UUID,
    *,
    client: AuthenticatedClient,
    body: MessageCreateRequest,
    idempotency_key: str | Unset = UNSET,
) -> ErrorResponse | MessageResponse | None:
    """Send a message from a connected phone (queued: answers 202 `accepted`)

     A `409 phone_not_ready` names the reason (disconnected, not_registered, token_invalid).

    Args:
        phone_id (UUID):
        idempotency_key (str | Unset):
        body (MessageCreateRequest): Input serializer that rejects unknown body fields, so
            `redirectURL` never passes silently,
            and values whose JSON type is not the field's (`json_type_problem`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | MessageResponse
    """

    return (
        await asyncio_detailed(
            phone_id=phone_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
