"""The messages API's one input validator (`MessageCreateSerializer`) and one presenter
(`OutgoingMessageSerializer`), plus the template list's shape (docs/api.md, "Messages")."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import StrictSerializer, TimestampField
from core.text import validate_no_disguising_characters
from messaging.models import MessageStatusChange, OutgoingMessage

E164 = r"^\+[1-9][0-9]{6,14}$"
# Meta's documented limits: a text body up to 4096 characters, a media caption up to 1024.
TEXT_MAX = 4096
CAPTION_MAX = 1024
MEDIA_TYPES = ("image", "document", "audio", "video")
Type = OutgoingMessage.Type


class TextIn(StrictSerializer):
    body = serializers.CharField(max_length=TEXT_MAX, trim_whitespace=False)
    previewUrl = serializers.BooleanField(required=False, default=False)


class LanguageIn(StrictSerializer):
    code = serializers.RegexField(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$", max_length=10)


class TemplateIn(StrictSerializer):
    name = serializers.RegexField(r"^[a-z0-9_]{1,512}$", help_text="The approved template's name.")
    language = LanguageIn()
    components = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        default=list,
        max_length=20,
        help_text="Meta's template components (`type`, `sub_type`, `index`, `parameters`), as Meta documents them.",
    )


class MediaIn(StrictSerializer):
    link = serializers.URLField(max_length=2000, help_text="A public http(s) URL Meta downloads the media from.")
    caption = serializers.CharField(max_length=CAPTION_MAX, required=False, trim_whitespace=False)
    # A file name is read as a name (a U+202E makes `invoice\u202efdp.exe` show as `invoiceexe.pdf`);
    # bodies and captions are the end-user's text, where bidi marks and joiners are ordinary.
    filename = serializers.CharField(
        max_length=240, required=False, validators=[validate_no_disguising_characters], help_text="Documents only."
    )

    def validate_link(self, value: str) -> str:
        if not value.lower().startswith(("https://", "http://")):
            raise serializers.ValidationError("Must be an http(s) URL.")
        return value


class ReactionIn(StrictSerializer):
    messageId = serializers.CharField(max_length=128, help_text="Our message id or Meta's wamid.")
    emoji = serializers.CharField(max_length=16, allow_blank=True, trim_whitespace=False, help_text='"" removes it.')


class ContextIn(StrictSerializer):
    messageId = serializers.CharField(max_length=128, help_text="The message replied to: our id or Meta's wamid.")


class MessageCreateSerializer(StrictSerializer):
    to = serializers.RegexField(E164, max_length=16, help_text="The recipient, E.164 (`+5491155551234`).")
    type = serializers.ChoiceField(choices=Type.choices)
    text = TextIn(required=False)
    template = TemplateIn(required=False)
    image = MediaIn(required=False)
    document = MediaIn(required=False)
    audio = MediaIn(required=False)
    video = MediaIn(required=False)
    reaction = ReactionIn(required=False)
    context = ContextIn(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kind = attrs["type"]
        given = [name for name in Type.values if name in attrs]
        errors: dict[str, list[str]] = {}
        if kind not in attrs:
            errors[kind] = [f"Required for a message of type {kind}."]
        for other in given:
            if other != kind:
                errors[other] = [f"Not allowed in a message of type {kind}."]
        content = attrs.get(kind) or {}
        if kind == Type.AUDIO and "caption" in content:
            errors["audio.caption"] = ["Audio messages have no caption."]
        if kind in MEDIA_TYPES and kind != Type.DOCUMENT and "filename" in content:
            errors[f"{kind}.filename"] = ["Only documents have a filename."]
        if kind == Type.REACTION and "context" in attrs:
            errors["context"] = ["A reaction cannot be a reply."]
        if errors:
            raise serializers.ValidationError(errors)
        return {
            "to": attrs["to"],
            "type": kind,
            "content": dict(content),
            "context_message_id": (attrs.get("context") or {}).get("messageId"),
        }


class MessageErrorSerializer(serializers.Serializer):
    code = serializers.IntegerField(allow_null=True, help_text="Meta's error code (131026, 131047, ...).")
    title = serializers.CharField()
    details = serializers.CharField()


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OutgoingMessage.Status.choices)
    occurredAt = TimestampField(source="occurred_at")
    error = serializers.SerializerMethodField()

    @extend_schema_field(MessageErrorSerializer(allow_null=True))
    def get_error(self, change: MessageStatusChange) -> dict[str, Any] | None:
        return _error(change)


def _error(row: Any) -> dict[str, Any] | None:
    if row.error_code is None and not row.error_title:
        return None
    return {"code": row.error_code, "title": row.error_title, "details": row.error_details}


class ContextOut(serializers.Serializer):
    """The message a sent message replies to."""

    messageId = serializers.CharField(help_text="Meta's id (wamid) of the message replied to.")


@extend_schema_field(
    {
        "type": "object",
        "description": "The message's content, as sent: the `text`, `template`, media or `reaction` object.",
    }
)
class ContentOut(serializers.Field):
    def to_representation(self, value: dict[str, Any]) -> dict[str, Any]:
        return value


class OutgoingMessageSerializer(serializers.Serializer):
    """A message sent through the API. `history` comes from a prefetch (`selectors`)."""

    id = serializers.UUIDField()
    phoneNumberId = serializers.UUIDField(source="phone_id")
    to = serializers.CharField()
    type = serializers.ChoiceField(choices=Type.choices)
    status = serializers.ChoiceField(choices=OutgoingMessage.Status.choices)
    metaMessageId = serializers.SerializerMethodField()
    content = ContentOut()
    context = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()
    statusHistory = StatusChangeSerializer(many=True, source="history.all")
    createdAt = TimestampField(source="created_at")
    updatedAt = TimestampField(source="updated_at")

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Meta's id (wamid) once Meta accepted it."))
    def get_metaMessageId(self, message: OutgoingMessage) -> str | None:
        return message.meta_message_id or None

    @extend_schema_field(ContextOut(allow_null=True, help_text="The message replied to (Meta's wamid), or null."))
    def get_context(self, message: OutgoingMessage) -> dict[str, Any] | None:
        if message.type == Type.REACTION or not message.context_meta_message_id:
            return None
        return {"messageId": message.context_meta_message_id}

    @extend_schema_field(MessageErrorSerializer(allow_null=True))
    def get_error(self, message: OutgoingMessage) -> dict[str, Any] | None:
        return _error(message)


class MessageFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OutgoingMessage.Status.choices, required=False)


class TemplateSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Meta's template id.")
    name = serializers.CharField()
    language = serializers.CharField()
    status = serializers.CharField(help_text="Meta's: APPROVED, PENDING, REJECTED, PAUSED, DISABLED, ...")
    category = serializers.CharField(help_text="Meta's: MARKETING, UTILITY, AUTHENTICATION.")
    components = serializers.ListField(
        child=serializers.DictField(), help_text="Meta's components, as Meta gives them."
    )
