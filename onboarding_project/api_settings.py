"""The API framework's fixed configuration (DRF and drf-spectacular): the same in every
environment, so it lives apart from the environment-driven settings module, which takes it as is."""

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["organizations.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.JsonObjectParser"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PagePagination",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # No OPTIONS metadata: SimpleMetadata asserted (500) on viewsets without serializer_class; OPTIONS
    # is now a 405 method_not_allowed like any other undocumented method.
    "DEFAULT_METADATA_CLASS": None,
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Onboarding Links API",
    "DESCRIPTION": "Hosted WhatsApp Embedded Signup links for API-only customers.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/v1",
    "PREPROCESSING_HOOKS": ["core.api.schema.strip_trailing_slashes"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "OnboardingLinkStatusEnum": "links.models.OnboardingLink.Status",
        "SignupFlowEnum": "links.models.SignupFlow",
        "EventTypeEnum": "core.events.EVENT_TYPES",
        "PhoneStatusEnum": "phones.models.Phone.Status",
        "MessageStatusEnum": "messaging.models.OutgoingMessage.Status",
        "MessageTypeEnum": "messaging.models.OutgoingMessage.Type",
    },
}
