"""Output shapes shared by the phones and wabas APIs: the document's `connectedAccount` and the
connection's `waba` block. They render the dicts built in `wabas.selectors` (key order included)."""

from rest_framework import serializers


class TokenStatusSerializer(serializers.Serializer):
    needsReconnection = serializers.BooleanField(
        help_text="Meta rejected the business token (code 190): onboard the number again with a new link."
    )
    invalidReason = serializers.ChoiceField(choices=["TOKEN_EXPIRED", "TOKEN_INVALID"], allow_null=True)
    invalidAt = serializers.CharField(allow_null=True, help_text="When Meta rejected the token.")
    expiresAt = serializers.CharField(allow_null=True, help_text="Meta's expiry of the token; null = none given.")
    dataAccessExpiresAt = serializers.CharField(allow_null=True, help_text="Meta's data access expiry; null = none.")


class OwnerBusinessSerializer(serializers.Serializer):
    id = serializers.CharField(allow_null=True, help_text="Meta business portfolio id.")
    name = serializers.CharField(allow_null=True)


class ConnectionWabaSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    metaWabaId = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    currency = serializers.CharField(allow_null=True)
    ownerBusiness = OwnerBusinessSerializer()
    datasetId = serializers.CharField(allow_null=True, help_text="The dataset selected for CAPI.")
    pageId = serializers.CharField(allow_null=True, help_text="The page selected during signup.")
    token = TokenStatusSerializer()


class AccountWabaSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    metaWabaId = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    currency = serializers.CharField(allow_null=True)


class PageSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    isFromOnboarding = serializers.BooleanField()
    isSelectedForCapi = serializers.BooleanField()


class MarketingStatusSerializer(serializers.Serializer):
    status = serializers.CharField(allow_null=True, help_text="Meta's marketing_messages_onboarding_status.")


class GraphLookupErrorSerializer(serializers.Serializer):
    lookup = serializers.CharField(help_text='"waba", "business" or "page:<page id>".')
    code = serializers.IntegerField(allow_null=True, help_text="Meta's error code.")
    message = serializers.CharField()


class ConnectedAccountSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=["embedded_signup"])
    business = OwnerBusinessSerializer()
    waba = AccountWabaSerializer()
    pageIds = serializers.ListField(child=serializers.CharField())
    selectedPageId = serializers.CharField(allow_null=True)
    pages = PageSerializer(many=True)
    datasetIds = serializers.ListField(child=serializers.CharField())
    selectedDatasetId = serializers.CharField(allow_null=True)
    catalogIds = serializers.ListField(child=serializers.CharField())
    instagramAccountIds = serializers.ListField(child=serializers.CharField())
    marketingMessagesOnboardingStatus = MarketingStatusSerializer()
    graphLookupErrors = GraphLookupErrorSerializer(
        many=True, help_text="Non-fatal: a failed live lookup; the stored ids are still returned."
    )
