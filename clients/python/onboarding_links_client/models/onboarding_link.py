from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.event_type_enum import EventTypeEnum
from ..models.onboarding_link_status_enum import OnboardingLinkStatusEnum
from ..models.signup_flow_enum import SignupFlowEnum
from ..models.waiting_for_enum import WaitingForEnum

if TYPE_CHECKING:
    from ..models.onboarding_link_metadata import OnboardingLinkMetadata


T = TypeVar("T", bound="OnboardingLink")


@_attrs_define
class OnboardingLink:
    """The schema of a link's JSON (written by `links.presenters.link_json`), in its key order.

    Attributes:
        id (UUID):
        name (str):
        status (OnboardingLinkStatusEnum): * `pending` - Pending
            * `processing` - Processing
            * `completed` - Completed
            * `error` - Error
            * `expired` - Expired
        external_id (None | str):
        metadata (OnboardingLinkMetadata): At most 50 keys of 1..40 characters; values are strings (up to 500
            characters), numbers, booleans or null. Example: {'customerId': 'customer-123', 'locationCode': 'store-01',
            'crmAccountId': 'crm_789'}.
        redirect_url (None | str):
        hosted_url (str):
        phone_number_id (None | UUID):
        phone_number (None | str): E.164, once the phone is connected.
        waba_id (None | UUID):
        is_phone_registered (bool | None):
        webhook_url (None | str):
        webhook_events (list[EventTypeEnum]):
        created_at (datetime.datetime):
        completed_at (datetime.datetime | None):
        expires_at (datetime.datetime):
        error (None | str):
        outgoing_webhook_id (None | UUID):
        allowed_flows (list[SignupFlowEnum]):
        waiting_for (None | WaitingForEnum): While processing: the end-user must enter the number's PIN or pick a number
            on the hosted page.

            * `phone_choice` - phone_choice
            * `pin` - pin
        refresh_url (None | str):
    """

    id: UUID
    name: str
    status: OnboardingLinkStatusEnum
    external_id: None | str
    metadata: OnboardingLinkMetadata
    redirect_url: None | str
    hosted_url: str
    phone_number_id: None | UUID
    phone_number: None | str
    waba_id: None | UUID
    is_phone_registered: bool | None
    webhook_url: None | str
    webhook_events: list[EventTypeEnum]
    created_at: datetime.datetime
    completed_at: datetime.datetime | None
    expires_at: datetime.datetime
    error: None | str
    outgoing_webhook_id: None | UUID
    allowed_flows: list[SignupFlowEnum]
    waiting_for: None | WaitingForEnum
    refresh_url: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        name = self.name

        status = self.status.value

        external_id: None | str
        external_id = self.external_id

        metadata = self.metadata.to_dict()

        redirect_url: None | str
        redirect_url = self.redirect_url

        hosted_url = self.hosted_url

        phone_number_id: None | str
        if isinstance(self.phone_number_id, UUID):
            phone_number_id = str(self.phone_number_id)
        else:
            phone_number_id = self.phone_number_id

        phone_number: None | str
        phone_number = self.phone_number

        waba_id: None | str
        if isinstance(self.waba_id, UUID):
            waba_id = str(self.waba_id)
        else:
            waba_id = self.waba_id

        is_phone_registered: bool | None
        is_phone_registered = self.is_phone_registered

        webhook_url: None | str
        webhook_url = self.webhook_url

        webhook_events = []
        for webhook_events_item_data in self.webhook_events:
            webhook_events_item = webhook_events_item_data.value
            webhook_events.append(webhook_events_item)

        created_at = self.created_at.isoformat()

        completed_at: None | str
        if isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        expires_at = self.expires_at.isoformat()

        error: None | str
        error = self.error

        outgoing_webhook_id: None | str
        if isinstance(self.outgoing_webhook_id, UUID):
            outgoing_webhook_id = str(self.outgoing_webhook_id)
        else:
            outgoing_webhook_id = self.outgoing_webhook_id

        allowed_flows = []
        for allowed_flows_item_data in self.allowed_flows:
            allowed_flows_item = allowed_flows_item_data.value
            allowed_flows.append(allowed_flows_item)

        waiting_for: None | str
        if isinstance(self.waiting_for, WaitingForEnum):
            waiting_for = self.waiting_for.value
        else:
            waiting_for = self.waiting_for

        refresh_url: None | str
        refresh_url = self.refresh_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "status": status,
                "externalId": external_id,
                "metadata": metadata,
                "redirectUrl": redirect_url,
                "hostedUrl": hosted_url,
                "phoneNumberId": phone_number_id,
                "phoneNumber": phone_number,
                "wabaId": waba_id,
                "isPhoneRegistered": is_phone_registered,
                "webhookUrl": webhook_url,
                "webhookEvents": webhook_events,
                "createdAt": created_at,
                "completedAt": completed_at,
                "expiresAt": expires_at,
                "error": error,
                "outgoingWebhookId": outgoing_webhook_id,
                "allowedFlows": allowed_flows,
                "waitingFor": waiting_for,
                "refreshUrl": refresh_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.onboarding_link_metadata import OnboardingLinkMetadata  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        name = d.pop("name")

        status = OnboardingLinkStatusEnum(d.pop("status"))

        def _parse_external_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        external_id = _parse_external_id(d.pop("externalId"))

        metadata = OnboardingLinkMetadata.from_dict(d.pop("metadata"))

        def _parse_redirect_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        redirect_url = _parse_redirect_url(d.pop("redirectUrl"))

        hosted_url = d.pop("hostedUrl")

        def _parse_phone_number_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                phone_number_id_type_0 = UUID(data)

                return phone_number_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        phone_number_id = _parse_phone_number_id(d.pop("phoneNumberId"))

        def _parse_phone_number(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        phone_number = _parse_phone_number(d.pop("phoneNumber"))

        def _parse_waba_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                waba_id_type_0 = UUID(data)

                return waba_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        waba_id = _parse_waba_id(d.pop("wabaId"))

        def _parse_is_phone_registered(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        is_phone_registered = _parse_is_phone_registered(d.pop("isPhoneRegistered"))

        def _parse_webhook_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        webhook_url = _parse_webhook_url(d.pop("webhookUrl"))

        webhook_events = []
        _webhook_events = d.pop("webhookEvents")
        for webhook_events_item_data in _webhook_events:
            webhook_events_item = EventTypeEnum(webhook_events_item_data)

            webhook_events.append(webhook_events_item)

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        def _parse_completed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)

                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        completed_at = _parse_completed_at(d.pop("completedAt"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expiresAt"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        def _parse_outgoing_webhook_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                outgoing_webhook_id_type_0 = UUID(data)

                return outgoing_webhook_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        outgoing_webhook_id = _parse_outgoing_webhook_id(d.pop("outgoingWebhookId"))

        allowed_flows = []
        _allowed_flows = d.pop("allowedFlows")
        for allowed_flows_item_data in _allowed_flows:
            allowed_flows_item = SignupFlowEnum(allowed_flows_item_data)

            allowed_flows.append(allowed_flows_item)

        def _parse_waiting_for(data: object) -> None | WaitingForEnum:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                waiting_for_type_0 = WaitingForEnum(data)

                return waiting_for_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | WaitingForEnum, data)

        waiting_for = _parse_waiting_for(d.pop("waitingFor"))

        def _parse_refresh_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        refresh_url = _parse_refresh_url(d.pop("refreshUrl"))

        onboarding_link = cls(
            id=id,
            name=name,
            status=status,
            external_id=external_id,
            metadata=metadata,
            redirect_url=redirect_url,
            hosted_url=hosted_url,
            phone_number_id=phone_number_id,
            phone_number=phone_number,
            waba_id=waba_id,
            is_phone_registered=is_phone_registered,
            webhook_url=webhook_url,
            webhook_events=webhook_events,
            created_at=created_at,
            completed_at=completed_at,
            expires_at=expires_at,
            error=error,
            outgoing_webhook_id=outgoing_webhook_id,
            allowed_flows=allowed_flows,
            waiting_for=waiting_for,
            refresh_url=refresh_url,
        )

        onboarding_link.additional_properties = d
        return onboarding_link

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
