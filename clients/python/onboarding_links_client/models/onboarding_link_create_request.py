from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.event_type_enum import EventTypeEnum
from ..models.onboarding_link_create_allowed_flows_enum import OnboardingLinkCreateAllowedFlowsEnum
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.onboarding_link_create_request_metadata_type_0 import OnboardingLinkCreateRequestMetadataType0


T = TypeVar("T", bound="OnboardingLinkCreateRequest")


@_attrs_define
class OnboardingLinkCreateRequest:
    """The body of `POST /v1/onboarding-links`; unknown fields are rejected.

    Attributes:
        name (str): Display name shown in the signup page (1..200); no bidirectional control or zero-width characters.
        external_id (None | str | Unset):
        metadata (None | OnboardingLinkCreateRequestMetadataType0 | Unset): At most 50 keys of 1..40 characters; values
            are strings (up to 500 characters), numbers, booleans or null. Example: {'customerId': 'customer-123',
            'locationCode': 'store-01', 'crmAccountId': 'crm_789'}.
        redirect_url (None | str | Unset):
        webhook_url (None | str | Unset):
        webhook_secret (None | str | Unset): HMAC signing secret (16..256). Generated (`whsec_...`) when webhookUrl is
            set without it.
        webhook_events (list[EventTypeEnum] | None | Unset): Required when webhookUrl is set.
        expires_in_seconds (int | None | Unset): Lifetime of the link; defaults to the deployment's
            LINK_DEFAULT_TTL_SECONDS (7 days).
        allowed_flows (list[OnboardingLinkCreateAllowedFlowsEnum] | None | Unset): Flows the end-user may take:
            "cloud_api" (Embedded Signup's default) and/or "whatsapp_business_app" (coexistence: the number stays on the
            WhatsApp Business app). Default ["cloud_api"].
        refresh_url (None | str | Unset): Where the hosted page sends an end-user who opens the link after it expired
            (or was deleted), with onboarding_link_id, external_id and reason=expired|deleted added to its query: create a
            fresh link there and redirect the end-user on. Same rules as redirectUrl.
    """

    name: str
    external_id: None | str | Unset = UNSET
    metadata: None | OnboardingLinkCreateRequestMetadataType0 | Unset = UNSET
    redirect_url: None | str | Unset = UNSET
    webhook_url: None | str | Unset = UNSET
    webhook_secret: None | str | Unset = UNSET
    webhook_events: list[EventTypeEnum] | None | Unset = UNSET
    expires_in_seconds: int | None | Unset = UNSET
    allowed_flows: list[OnboardingLinkCreateAllowedFlowsEnum] | None | Unset = UNSET
    refresh_url: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.onboarding_link_create_request_metadata_type_0 import OnboardingLinkCreateRequestMetadataType0  # noqa: PLC0415

        name = self.name

        external_id: None | str | Unset
        if isinstance(self.external_id, Unset):
            external_id = UNSET
        else:
            external_id = self.external_id

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, OnboardingLinkCreateRequestMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        redirect_url: None | str | Unset
        if isinstance(self.redirect_url, Unset):
            redirect_url = UNSET
        else:
            redirect_url = self.redirect_url

        webhook_url: None | str | Unset
        if isinstance(self.webhook_url, Unset):
            webhook_url = UNSET
        else:
            webhook_url = self.webhook_url

        webhook_secret: None | str | Unset
        if isinstance(self.webhook_secret, Unset):
            webhook_secret = UNSET
        else:
            webhook_secret = self.webhook_secret

        webhook_events: list[str] | None | Unset
        if isinstance(self.webhook_events, Unset):
            webhook_events = UNSET
        elif isinstance(self.webhook_events, list):
            webhook_events = []
            for webhook_events_type_0_item_data in self.webhook_events:
                webhook_events_type_0_item = webhook_events_type_0_item_data.value
                webhook_events.append(webhook_events_type_0_item)

        else:
            webhook_events = self.webhook_events

        expires_in_seconds: int | None | Unset
        if isinstance(self.expires_in_seconds, Unset):
            expires_in_seconds = UNSET
        else:
            expires_in_seconds = self.expires_in_seconds

        allowed_flows: list[str] | None | Unset
        if isinstance(self.allowed_flows, Unset):
            allowed_flows = UNSET
        elif isinstance(self.allowed_flows, list):
            allowed_flows = []
            for allowed_flows_type_0_item_data in self.allowed_flows:
                allowed_flows_type_0_item = allowed_flows_type_0_item_data.value
                allowed_flows.append(allowed_flows_type_0_item)

        else:
            allowed_flows = self.allowed_flows

        refresh_url: None | str | Unset
        if isinstance(self.refresh_url, Unset):
            refresh_url = UNSET
        else:
            refresh_url = self.refresh_url

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if external_id is not UNSET:
            field_dict["externalId"] = external_id
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if redirect_url is not UNSET:
            field_dict["redirectUrl"] = redirect_url
        if webhook_url is not UNSET:
            field_dict["webhookUrl"] = webhook_url
        if webhook_secret is not UNSET:
            field_dict["webhookSecret"] = webhook_secret
        if webhook_events is not UNSET:
            field_dict["webhookEvents"] = webhook_events
        if expires_in_seconds is not UNSET:
            field_dict["expiresInSeconds"] = expires_in_seconds
        if allowed_flows is not UNSET:
            field_dict["allowedFlows"] = allowed_flows
        if refresh_url is not UNSET:
            field_dict["refreshUrl"] = refresh_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.onboarding_link_create_request_metadata_type_0 import OnboardingLinkCreateRequestMetadataType0  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        def _parse_external_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        external_id = _parse_external_id(d.pop("externalId", UNSET))

        def _parse_metadata(data: object) -> None | OnboardingLinkCreateRequestMetadataType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = OnboardingLinkCreateRequestMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OnboardingLinkCreateRequestMetadataType0 | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        def _parse_redirect_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        redirect_url = _parse_redirect_url(d.pop("redirectUrl", UNSET))

        def _parse_webhook_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        webhook_url = _parse_webhook_url(d.pop("webhookUrl", UNSET))

        def _parse_webhook_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        webhook_secret = _parse_webhook_secret(d.pop("webhookSecret", UNSET))

        def _parse_webhook_events(data: object) -> list[EventTypeEnum] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                webhook_events_type_0 = []
                _webhook_events_type_0 = data
                for webhook_events_type_0_item_data in _webhook_events_type_0:
                    webhook_events_type_0_item = EventTypeEnum(webhook_events_type_0_item_data)

                    webhook_events_type_0.append(webhook_events_type_0_item)

                return webhook_events_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[EventTypeEnum] | None | Unset, data)

        webhook_events = _parse_webhook_events(d.pop("webhookEvents", UNSET))

        def _parse_expires_in_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        expires_in_seconds = _parse_expires_in_seconds(d.pop("expiresInSeconds", UNSET))

        def _parse_allowed_flows(data: object) -> list[OnboardingLinkCreateAllowedFlowsEnum] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                allowed_flows_type_0 = []
                _allowed_flows_type_0 = data
                for allowed_flows_type_0_item_data in _allowed_flows_type_0:
                    allowed_flows_type_0_item = OnboardingLinkCreateAllowedFlowsEnum(allowed_flows_type_0_item_data)

                    allowed_flows_type_0.append(allowed_flows_type_0_item)

                return allowed_flows_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[OnboardingLinkCreateAllowedFlowsEnum] | None | Unset, data)

        allowed_flows = _parse_allowed_flows(d.pop("allowedFlows", UNSET))

        def _parse_refresh_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        refresh_url = _parse_refresh_url(d.pop("refreshUrl", UNSET))

        onboarding_link_create_request = cls(
            name=name,
            external_id=external_id,
            metadata=metadata,
            redirect_url=redirect_url,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            webhook_events=webhook_events,
            expires_in_seconds=expires_in_seconds,
            allowed_flows=allowed_flows,
            refresh_url=refresh_url,
        )

        return onboarding_link_create_request
