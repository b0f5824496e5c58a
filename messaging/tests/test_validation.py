"""What the send endpoint refuses, before anything is stored or sent: the contract's 400s, the
phone's readiness (409 with the reason), another organization's phone (404)."""

import pytest

from messaging.models import OutgoingMessage
from messaging.tests.helpers import graph_sends, send
from phones.models import Phone
from phones.tests.factories import PhoneFactory
from phones.tests.helpers import connect_phone

TEXT = {"to": "+5491155551234", "type": "text", "text": {"body": "Hello"}}


@pytest.fixture
def ready_phone(organization, settings):
    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"  # refused: these tests look at acceptance only
    return PhoneFactory(organization=organization, waba__access_token="EAAready-token-for-tests")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**TEXT, "to": "5491155551234"}, "to"),
        ({**TEXT, "to": "+0491155551234"}, "to"),
        ({**TEXT, "to": "+54 9 11 5555 1234"}, "to"),
        ({**TEXT, "text": {"body": "x" * 4097}}, "text.body"),
        ({**TEXT, "text": {"body": ""}}, "text.body"),
        ({**TEXT, "text": {"body": "Hi", "preview_url": True}}, "text.preview_url"),
        ({"to": "+5491155551234", "type": "text"}, "text"),
        ({**TEXT, "image": {"link": "https://example.com/a.jpg"}}, "image"),
        (
            {"to": "+5491155551234", "type": "image", "image": {"link": "https://e.com/a.jpg", "caption": "x" * 1025}},
            "image.caption",
        ),
        ({"to": "+5491155551234", "type": "image", "image": {"link": "ftp://example.com/a.jpg"}}, "image.link"),
        (
            {"to": "+5491155551234", "type": "audio", "audio": {"link": "https://e.com/a.ogg", "caption": "no"}},
            "audio.caption",
        ),
        ({"to": "+5491155551234", "type": "sticker", "text": {"body": "x"}}, "type"),
        (
            {
                "to": "+5491155551234",
                "type": "reaction",
                "reaction": {"messageId": "wamid.X", "emoji": "👍"},
                "context": {"messageId": "wamid.Y"},
            },
            "context",
        ),
        ({**TEXT, "context": {"messageId": "6f1c1d5e-1111-4f5b-9c1e-000000000000"}}, "context.messageId"),
        ({**TEXT, "extra": 1}, "extra"),
        (
            {
                "to": "+5491155551234",
                "type": "document",
                "document": {"link": "https://e.com/a.pdf", "filename": "invoice\u202efdp.exe"},
            },
            "document.filename",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(api_client, ready_phone, body, field):
    answer = send(api_client, ready_phone, body)

    assert answer.status_code == 400, answer.content
    assert answer.json()["error"]["code"] == "validation_error"
    assert field in answer.json()["error"]["details"], answer.json()
    assert OutgoingMessage.objects.count() == 0


@pytest.mark.django_db
def test_bodies_and_captions_keep_bidi_marks_and_joiners(api_client, ready_phone):
    """The end-user's own text: Arabic and Hebrew use bidi marks, emoji sequences use U+200D."""
    body = "\u05e9\u05dc\u05d5\u05dd \u200fOK\u200f \U0001f468\u200d\U0001f469\u200d\U0001f467 \u202eabc"
    text = send(api_client, ready_phone, {**TEXT, "text": {"body": body}})
    image = send(
        api_client,
        ready_phone,
        {"to": "+5491155551234", "type": "image", "image": {"link": "https://e.com/a.jpg", "caption": body}},
    )

    assert text.status_code == 202 and image.status_code == 202
    assert text.json()["data"]["content"]["body"] == body
    assert image.json()["data"]["content"]["caption"] == body


@pytest.mark.django_db
def test_captions_and_bodies_at_metas_limits_are_accepted(api_client, ready_phone):
    text = send(api_client, ready_phone, {**TEXT, "text": {"body": "x" * 4096}})
    image = send(
        api_client,
        ready_phone,
        {"to": "+5491155551234", "type": "image", "image": {"link": "https://e.com/a.jpg", "caption": "x" * 1024}},
    )

    assert text.status_code == 202 and image.status_code == 202


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            {"status": Phone.Status.DISCONNECTED, "disconnected_reason": "PARTNER_REMOVED"},
            "disconnected (PARTNER_REMOVED)",
        ),
        ({"is_registered": False}, "not_registered"),
    ],
)
def test_a_phone_that_cannot_send_is_a_409_with_the_reason(api_client, ready_phone, change, reason):
    Phone.objects.filter(pk=ready_phone.pk).update(**change)

    answer = send(api_client, ready_phone, TEXT)

    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "phone_not_ready"
    assert answer.json()["error"]["details"] == {"reason": [reason]}
    assert OutgoingMessage.objects.count() == 0


@pytest.mark.django_db
def test_a_phone_whose_token_meta_rejected_is_not_ready(api_client, ready_phone):
    ready_phone.waba.token_invalid_reason = "TOKEN_INVALID"
    ready_phone.waba.save(update_fields=["token_invalid_reason"])

    answer = send(api_client, ready_phone, TEXT)

    assert answer.status_code == 409 and answer.json()["error"]["details"] == {"reason": ["token_invalid"]}


@pytest.mark.django_db
def test_another_organizations_phone_and_messages_are_404(api_client, other_api_client, ready_phone):
    assert send(other_api_client, ready_phone, TEXT).status_code == 404
    assert other_api_client.get(f"/v1/phones/{ready_phone.id}/messages").status_code == 404
    message = OutgoingMessage.objects.create(
        organization=ready_phone.organization, phone=ready_phone, to="+5491155551234", type="text", content={}
    )
    assert other_api_client.get(f"/v1/phones/{ready_phone.id}/messages/{message.id}").status_code == 404
    assert api_client.get(f"/v1/phones/{ready_phone.id}/messages/{message.id}").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_template_parameters_are_counted_against_the_known_template(sandbox_graph, api_client, browser_for):
    phone = connect_phone(api_client, browser_for)
    template = {"name": "order_update", "language": {"code": "en_US"}}
    one_parameter = [{"type": "body", "parameters": [{"type": "text", "text": "Ana"}]}]

    short = send(
        api_client,
        phone,
        {"to": "+5491155551234", "type": "template", "template": {**template, "components": one_parameter}},
    )
    unknown = send(
        api_client,
        phone,
        {
            "to": "+5491155551234",
            "type": "template",
            "template": {"name": "no_such_template", "language": {"code": "en_US"}},
        },
    )

    assert short.status_code == 400
    assert short.json()["error"]["details"] == {
        "template.components": ["The template's body has 2 parameter(s); 1 given."]
    }
    assert unknown.status_code == 400 and "template.name" in unknown.json()["error"]["details"]
    assert OutgoingMessage.objects.count() == 0 and graph_sends() == 0
