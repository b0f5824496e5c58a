"""Fixed facts of the sandbox Meta app. Fake credentials: they open nothing outside this process."""

SANDBOX_APP_ID = "100000000000001"
SANDBOX_APP_SECRET = "sandbox-app-secret-not-a-real-secret"  # noqa: S105 - a fake, public by design
SANDBOX_APP_NAME = "Onboarding Links Sandbox"
# Issued dialog codes live longer than Meta's 30 s so a human can step through the flow.
ISSUED_CODE_TTL_SECONDS = 600
FLAKY_FAILURES_PER_KIND = 2


class Scenario:
    SUCCESS = "sandbox_success"
    FLAKY = "sandbox_flaky"
    EXCHANGE_ERROR = "sandbox_exchange_error"
    REGISTER_ERROR = "sandbox_register_error"
    LIMITED = "sandbox_limited"
    BLOCKED = "sandbox_blocked"
    # A number that already has two-step verification (moved from another provider): registering
    # needs EXISTING_PIN, any other PIN is Meta's 133005.
    EXISTING_PIN = "sandbox_existing_pin"
    TOKEN_EXPIRING = "sandbox_token_expiring"  # noqa: S105 - a scenario name, not a secret
    TOKEN_INVALIDATED = "sandbox_token_invalidated"  # noqa: S105 - a scenario name

    ALL = (
        SUCCESS,
        FLAKY,
        EXCHANGE_ERROR,
        REGISTER_ERROR,
        LIMITED,
        BLOCKED,
        EXISTING_PIN,
        TOKEN_EXPIRING,
        TOKEN_INVALIDATED,
    )


# The two-step verification PIN of `sandbox_existing_pin` numbers (a fake: sandbox numbers only).
EXISTING_TWO_STEP_PIN = "123456"


class FinishEvent:
    FINISH = "FINISH"
    ONLY_WABA = "FINISH_ONLY_WABA"
    COEXISTENCE = "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING"
    OBO_MIGRATION = "FINISH_OBO_MIGRATION"
    GRANT_ONLY_API_ACCESS = "FINISH_GRANT_ONLY_API_ACCESS"

    ALL = (FINISH, ONLY_WABA, COEXISTENCE, OBO_MIGRATION, GRANT_ONLY_API_ACCESS)
    # Numbers that already work on Meta's side (not registered by the partner).
    ALREADY_REGISTERED = (COEXISTENCE, OBO_MIGRATION, GRANT_ONLY_API_ACCESS)


MAX_DIALOG_PHONES = 5
