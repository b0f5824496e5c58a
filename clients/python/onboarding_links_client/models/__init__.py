"""Contains all the data models used in inputs/outputs"""

from .account_waba import AccountWaba
from .attempt_out import AttemptOut
from .capabilities import Capabilities
from .connected_account import ConnectedAccount
from .connection import Connection
from .connection_phone import ConnectionPhone
from .connection_phone_metadata import ConnectionPhoneMetadata
from .connection_waba import ConnectionWaba
from .context_in_request import ContextInRequest
from .context_out import ContextOut
from .delivery_out import DeliveryOut
from .delivery_out_status_enum import DeliveryOutStatusEnum
from .error_response import ErrorResponse
from .error_response_error import ErrorResponseError
from .error_response_error_details import ErrorResponseErrorDetails
from .event_out import EventOut
from .event_response import EventResponse
from .event_type_enum import EventTypeEnum
from .events_list_type import EventsListType
from .graph_lookup_error import GraphLookupError
from .invalid_reason_enum import InvalidReasonEnum
from .language_in_request import LanguageInRequest
from .marketing_status import MarketingStatus
from .media_in_request import MediaInRequest
from .message_create_request import MessageCreateRequest
from .message_error import MessageError
from .message_response import MessageResponse
from .message_status_enum import MessageStatusEnum
from .message_type_enum import MessageTypeEnum
from .messages_list_status import MessagesListStatus
from .onboarding_link import OnboardingLink
from .onboarding_link_create_allowed_flows_enum import OnboardingLinkCreateAllowedFlowsEnum
from .onboarding_link_create_request import OnboardingLinkCreateRequest
from .onboarding_link_create_request_metadata_type_0 import OnboardingLinkCreateRequestMetadataType0
from .onboarding_link_created import OnboardingLinkCreated
from .onboarding_link_created_metadata import OnboardingLinkCreatedMetadata
from .onboarding_link_created_response import OnboardingLinkCreatedResponse
from .onboarding_link_metadata import OnboardingLinkMetadata
from .onboarding_link_response import OnboardingLinkResponse
from .onboarding_link_status_enum import OnboardingLinkStatusEnum
from .onboarding_links_list_status import OnboardingLinksListStatus
from .outgoing_message import OutgoingMessage
from .outgoing_message_content import OutgoingMessageContent
from .outgoing_webhook_created_response import OutgoingWebhookCreatedResponse
from .outgoing_webhook_response import OutgoingWebhookResponse
from .outgoing_webhook_rotated_response import OutgoingWebhookRotatedResponse
from .outgoing_webhook_updated_response import OutgoingWebhookUpdatedResponse
from .outgoing_webhooks_deliveries_status import OutgoingWebhooksDeliveriesStatus
from .owner_business import OwnerBusiness
from .page import Page
from .paginated_delivery_out_list import PaginatedDeliveryOutList
from .paginated_delivery_out_list_meta import PaginatedDeliveryOutListMeta
from .paginated_event_out_list import PaginatedEventOutList
from .paginated_event_out_list_meta import PaginatedEventOutListMeta
from .paginated_onboarding_link_list import PaginatedOnboardingLinkList
from .paginated_onboarding_link_list_meta import PaginatedOnboardingLinkListMeta
from .paginated_outgoing_message_list import PaginatedOutgoingMessageList
from .paginated_outgoing_message_list_meta import PaginatedOutgoingMessageListMeta
from .paginated_phone_list import PaginatedPhoneList
from .paginated_phone_list_meta import PaginatedPhoneListMeta
from .paginated_template_list import PaginatedTemplateList
from .paginated_template_list_meta import PaginatedTemplateListMeta
from .paginated_waba_list import PaginatedWabaList
from .paginated_waba_list_meta import PaginatedWabaListMeta
from .paginated_webhook_out_list import PaginatedWebhookOutList
from .paginated_webhook_out_list_meta import PaginatedWebhookOutListMeta
from .patched_webhook_in_request import PatchedWebhookInRequest
from .phone import Phone
from .phone_health import PhoneHealth
from .phone_health_check import PhoneHealthCheck
from .phone_health_error import PhoneHealthError
from .phone_health_response import PhoneHealthResponse
from .phone_health_status_enum import PhoneHealthStatusEnum
from .phone_metadata import PhoneMetadata
from .phone_response import PhoneResponse
from .phone_status_enum import PhoneStatusEnum
from .reaction_in_request import ReactionInRequest
from .rotate_secret_in_request import RotateSecretInRequest
from .signup_flow_enum import SignupFlowEnum
from .source_enum import SourceEnum
from .status_change import StatusChange
from .template import Template
from .template_components_item import TemplateComponentsItem
from .template_in_request import TemplateInRequest
from .template_in_request_components_item import TemplateInRequestComponentsItem
from .text_in_request import TextInRequest
from .token_status import TokenStatus
from .waba import Waba
from .waba_connection_response import WabaConnectionResponse
from .waba_phone import WabaPhone
from .waba_phone_metadata import WabaPhoneMetadata
from .waba_response import WabaResponse
from .waiting_for_enum import WaitingForEnum
from .webhook_created_out import WebhookCreatedOut
from .webhook_delivery_response import WebhookDeliveryResponse
from .webhook_delivery_retry_response import WebhookDeliveryRetryResponse
from .webhook_in_request import WebhookInRequest
from .webhook_out import WebhookOut
from .webhook_test_response import WebhookTestResponse

__all__ = (
    "AccountWaba",
    "AttemptOut",
    "Capabilities",
    "ConnectedAccount",
    "Connection",
    "ConnectionPhone",
    "ConnectionPhoneMetadata",
    "ConnectionWaba",
    "ContextInRequest",
    "ContextOut",
    "DeliveryOut",
    "DeliveryOutStatusEnum",
    "ErrorResponse",
    "ErrorResponseError",
    "ErrorResponseErrorDetails",
    "EventOut",
    "EventResponse",
    "EventsListType",
    "EventTypeEnum",
    "GraphLookupError",
    "InvalidReasonEnum",
    "LanguageInRequest",
    "MarketingStatus",
    "MediaInRequest",
    "MessageCreateRequest",
    "MessageError",
    "MessageResponse",
    "MessagesListStatus",
    "MessageStatusEnum",
    "MessageTypeEnum",
    "OnboardingLink",
    "OnboardingLinkCreateAllowedFlowsEnum",
    "OnboardingLinkCreated",
    "OnboardingLinkCreatedMetadata",
    "OnboardingLinkCreatedResponse",
    "OnboardingLinkCreateRequest",
    "OnboardingLinkCreateRequestMetadataType0",
    "OnboardingLinkMetadata",
    "OnboardingLinkResponse",
    "OnboardingLinksListStatus",
    "OnboardingLinkStatusEnum",
    "OutgoingMessage",
    "OutgoingMessageContent",
    "OutgoingWebhookCreatedResponse",
    "OutgoingWebhookResponse",
    "OutgoingWebhookRotatedResponse",
    "OutgoingWebhooksDeliveriesStatus",
    "OutgoingWebhookUpdatedResponse",
    "OwnerBusiness",
    "Page",
    "PaginatedDeliveryOutList",
    "PaginatedDeliveryOutListMeta",
    "PaginatedEventOutList",
    "PaginatedEventOutListMeta",
    "PaginatedOnboardingLinkList",
    "PaginatedOnboardingLinkListMeta",
    "PaginatedOutgoingMessageList",
    "PaginatedOutgoingMessageListMeta",
    "PaginatedPhoneList",
    "PaginatedPhoneListMeta",
    "PaginatedTemplateList",
    "PaginatedTemplateListMeta",
    "PaginatedWabaList",
    "PaginatedWabaListMeta",
    "PaginatedWebhookOutList",
    "PaginatedWebhookOutListMeta",
    "PatchedWebhookInRequest",
    "Phone",
    "PhoneHealth",
    "PhoneHealthCheck",
    "PhoneHealthError",
    "PhoneHealthResponse",
    "PhoneHealthStatusEnum",
    "PhoneMetadata",
    "PhoneResponse",
    "PhoneStatusEnum",
    "ReactionInRequest",
    "RotateSecretInRequest",
    "SignupFlowEnum",
    "SourceEnum",
    "StatusChange",
    "Template",
    "TemplateComponentsItem",
    "TemplateInRequest",
    "TemplateInRequestComponentsItem",
    "TextInRequest",
    "TokenStatus",
    "Waba",
    "WabaConnectionResponse",
    "WabaPhone",
    "WabaPhoneMetadata",
    "WabaResponse",
    "WaitingForEnum",
    "WebhookCreatedOut",
    "WebhookDeliveryResponse",
    "WebhookDeliveryRetryResponse",
    "WebhookInRequest",
    "WebhookOut",
    "WebhookTestResponse",
)
