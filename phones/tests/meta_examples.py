"""Meta's documented example payloads, one per case, as data (WhatsApp Business Platform webhooks
reference: messages, smb_message_echoes, history, smb_app_state_sync, account_update; health status).

They keep Meta's example ids (phone number id 106540352242922, WABA 102290129340398); `for_phone`
points them at a test phone. Where Meta's page shows only a syntax with placeholders, the example
values of its parameter table are filled in.
"""

import copy
import json
from typing import Any

META_PHONE_ID = "106540352242922"
META_WABA_ID = "102290129340398"
METADATA = {"display_phone_number": "15550783881", "phone_number_id": META_PHONE_ID}


def _webhook(field: str, value: dict[str, Any], *, time: int | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": META_WABA_ID, "changes": [{"value": value, "field": field}]}
    if time is not None:
        entry["time"] = time
    return {"object": "whatsapp_business_account", "entry": [entry]}


def _messages(*messages: dict[str, Any], contacts: bool = True) -> dict[str, Any]:
    value: dict[str, Any] = {"messaging_product": "whatsapp", "metadata": dict(METADATA)}
    if contacts:
        value["contacts"] = [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}]
    value["messages"] = list(messages)
    return _webhook("messages", value)


# --- messages (webhooks/reference/messages) -----------------------------------------------------

TEXT_MESSAGE = _messages(
    {
        "from": "16505551234",
        "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
        "timestamp": "1749416383",
        "type": "text",
        "text": {"body": "Does it come in another color?"},
    }
)

EDITED_MESSAGE = _messages(
    {
        "from": "16505551234",
        "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUVEQjBGNkQxRjY3RkM1NjFFMQA=",
        "timestamp": "1749416450",
        "type": "edit",
        "edit": {
            "original_message_id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
            "message": {"type": "text", "text": {"body": "Does it come in another colour?"}},
        },
    }
)

REVOKED_MESSAGE = _messages(
    {
        "from": "16505551234",
        "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQjk5QTQ2RDYyQTMzQjM1QjM1NQA=",
        "timestamp": "1749416500",
        "type": "revoke",
        "revoke": {"original_message_id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="},
    }
)

SYSTEM_NUMBER_CHANGE = _messages(
    {
        "from": "16505551234",
        "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQkE2MDQ4QjE2RjUyQ0Y5NkFCQQA=",
        "timestamp": "1749416383",
        "type": "system",
        "system": {
            "body": "User Sheena Nelson changed from 16505551234 to 16505559876",
            "wa_id": "16505559876",
            "type": "user_changed_number",
        },
    },
    contacts=False,
)

CALL_PERMISSION_REPLY = _messages(
    {
        "context": {"from": "15550783881", "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA"},
        "from": "16505551234",
        "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTc5QjQ5Q0Y3NjRBMjAyNDZGRQA=",
        "timestamp": "1749416383",
        "type": "interactive",
        "interactive": {
            "type": "call_permission_reply",
            "call_permission_reply": {
                "response": "accept",
                "is_permanent": False,
                "expiration_timestamp": 1749675583,
                "response_source": "user_action",
            },
        },
    }
)

# webhooks/reference/messages/errors: verbatim.
VALUE_ERRORS = _webhook(
    "messages",
    {
        "messaging_product": "whatsapp",
        "metadata": dict(METADATA),
        "errors": [
            {
                "code": 130429,
                "title": "Rate limit hit",
                "message": "Rate limit hit",
                "error_data": {
                    "details": "Message failed to send because there were too many messages sent from this phone "
                    "number in a short period of time"
                },
                "href": "/documentation/business-messaging/whatsapp/support/error-codes",
            }
        ],
    },
)

# --- coexistence (smb_message_echoes, history, smb_app_state_sync) -------------------------------


def _echo(**message: Any) -> dict[str, Any]:
    echo = {"from": "15550783881", "to": "16505551234", **message}
    return _webhook(
        "smb_message_echoes", {"messaging_product": "whatsapp", "metadata": dict(METADATA), "message_echoes": [echo]}
    )


ECHO_TEXT = _echo(
    id="wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
    timestamp="1739321024",
    type="text",
    text={"body": "Here's the info you requested! https://www.meta.com/quest/quest-3/"},
)
ECHO_REVOKE = _echo(
    id="wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQjU3RDZCRTlCOTg5RjI3MTg3NQA=",
    timestamp="1739321090",
    type="revoke",
    revoke={"original_message_id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA="},
)
ECHO_EDIT = _echo(
    id="wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQ0YzOEVCMjM5QTM5QjU1QTlGNwA=",
    timestamp="1739321060",
    type="edit",
    edit={
        "original_message_id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
        "message": {"type": "text", "text": {"body": "Here's the info you asked for."}},
    },
)

HISTORY_CHUNK = _webhook(
    "history",
    {
        "messaging_product": "whatsapp",
        "metadata": dict(METADATA),
        "history": [
            {
                "metadata": {"phase": 0, "chunk_order": 1, "progress": 55},
                "threads": [
                    {
                        "id": "16505551234",
                        "messages": [
                            {
                                "from": "15550783881",
                                "to": "16505551234",
                                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI4MjZGRDA0OUE2OTQ3RkEyMzcA",
                                "timestamp": "1739230955",
                                "type": "text",
                                "text": {"body": "Hi there! Thanks for reaching out."},
                                "history_context": {"status": "READ"},
                            }
                        ],
                    }
                ],
            }
        ],
    },
)

HISTORY_DECLINED = _webhook(
    "history",
    {
        "messaging_product": "whatsapp",
        "metadata": dict(METADATA),
        "history": [
            {
                "errors": [
                    {
                        "code": 2593109,
                        "title": "History sharing is turned off by the business",
                        "message": "History sharing is turned off by the business",
                        "error_data": {"details": "The business has declined to share its chat history."},
                    }
                ]
            }
        ],
    },
)

APP_STATE_SYNC = _webhook(
    "smb_app_state_sync",
    {
        "messaging_product": "whatsapp",
        "metadata": dict(METADATA),
        "state_sync": [
            {
                "type": "contact",
                "contact": {"full_name": "Pablo Morales", "first_name": "Pablo", "phone_number": "16505551234"},
                "action": "add",
                "metadata": {"timestamp": "1739321024"},
            }
        ],
    },
)

# --- account_update ------------------------------------------------------------------------------


def account_update(event: str, **extra: Any) -> dict[str, Any]:
    return _webhook("account_update", {"event": event, **extra}, time=1739321024)


ACCOUNT_DELETED = account_update("ACCOUNT_DELETED")
ACCOUNT_OFFBOARDED = account_update("ACCOUNT_OFFBOARDED")
ACCOUNT_RECONNECTED = account_update("ACCOUNT_RECONNECTED")
PARTNER_REMOVED_COEXISTENCE = account_update(
    "PARTNER_REMOVED", disconnection_info={"reason": "BUSINESS_APP_PARTNER_DISCONNECTED", "initiated_by": "BUSINESS"}
)
DISABLED_UPDATE = account_update(
    "DISABLED_UPDATE", ban_info={"waba_ban_state": ["DISABLE"], "waba_ban_date": "2025-02-12"}
)
ACCOUNT_RESTRICTION = account_update(
    "ACCOUNT_RESTRICTION",
    restriction_info=[{"restriction_type": "RESTRICTED_ADD_PHONE_NUMBER_ACTION", "expiration": 1739407424}],
)

# --- health status (support/health-status) ------------------------------------------------------

# "Example blocked response" (a template): overall BLOCKED for the template, the rest AVAILABLE.
HEALTH_TEMPLATE_BLOCKED = {
    "can_send_message": "BLOCKED",
    "entities": [
        {
            "entity_type": "MESSAGE_TEMPLATE",
            "id": "2632273056924580",
            "can_send_message": "BLOCKED",
            "can_receive_call_sip": "AVAILABLE",
            "errors": [
                {
                    "error_code": 141002,
                    "error_description": "Message templates can only be sent out if they are approved.",
                    "possible_solution": "Edit or appeal the message template review decision.",
                }
            ],
        },
        {"entity_type": "WABA", "id": "102290129340398", "can_send_message": "AVAILABLE"},
        {"entity_type": "BUSINESS", "id": "506914307656634", "can_send_message": "AVAILABLE"},
        {
            "entity_type": "APP",
            "id": "634974688087057",
            "can_send_message": "AVAILABLE",
            "can_receive_call_sip": "AVAILABLE",
        },
    ],
}

# A phone number whose WABA's payment method fails (error 141006): the number's own entity is AVAILABLE.
HEALTH_WABA_PAYMENT_BLOCKED = {
    "can_send_message": "BLOCKED",
    "entities": [
        {"entity_type": "PHONE_NUMBER", "id": META_PHONE_ID, "can_send_message": "AVAILABLE"},
        {
            "entity_type": "WABA",
            "id": META_WABA_ID,
            "can_send_message": "BLOCKED",
            "errors": [
                {
                    "error_code": 141006,
                    "error_description": "There is an error with the payment method. This will block business "
                    "initiated conversations.",
                    "possible_solution": "There was an error with your payment method. Please add a new payment "
                    "method to the account.",
                }
            ],
        },
        {"entity_type": "BUSINESS", "id": "506914307656634", "can_send_message": "AVAILABLE"},
        {"entity_type": "APP", "id": "634974688087057", "can_send_message": "AVAILABLE"},
    ],
}

# Overall BLOCKED while every listed entity is AVAILABLE.
HEALTH_OVERALL_ONLY_BLOCKED = {
    "can_send_message": "BLOCKED",
    "entities": [
        {"entity_type": "PHONE_NUMBER", "id": META_PHONE_ID, "can_send_message": "AVAILABLE"},
        {"entity_type": "WABA", "id": META_WABA_ID, "can_send_message": "AVAILABLE"},
        {"entity_type": "BUSINESS", "id": "506914307656634", "can_send_message": "AVAILABLE"},
        {"entity_type": "APP", "id": "634974688087057", "can_send_message": "AVAILABLE"},
    ],
}

# Calling over SIP not enabled: an error on an entity that can still send messages (LIMITED).
HEALTH_SIP_NOTE_LIMITED = {
    "can_send_message": "LIMITED",
    "entities": [
        {
            "entity_type": "PHONE_NUMBER",
            "id": META_PHONE_ID,
            "can_send_message": "LIMITED",
            "additional_info": ["Your display name has not been approved yet."],
            "errors": [{"error_code": 138024, "error_description": "SIP is not enabled"}],
        },
        {"entity_type": "WABA", "id": META_WABA_ID, "can_send_message": "AVAILABLE"},
        {"entity_type": "BUSINESS", "id": "506914307656634", "can_send_message": "AVAILABLE"},
        {"entity_type": "APP", "id": "634974688087057", "can_send_message": "AVAILABLE"},
    ],
}


def for_phone(example: dict[str, Any], phone: Any) -> dict[str, Any]:
    """A copy of `example` naming `phone` and its WABA instead of Meta's example ids."""
    raw = json.dumps(copy.deepcopy(example))
    raw = raw.replace(META_PHONE_ID, phone.meta_phone_number_id).replace(META_WABA_ID, phone.waba.meta_waba_id)
    return json.loads(raw)


def first_value(body: dict[str, Any]) -> dict[str, Any]:
    return body["entry"][0]["changes"][0]["value"]
