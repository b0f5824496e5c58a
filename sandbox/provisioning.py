"""Creating the fake assets a magic code stands for, and trading codes for fake business tokens."""

from __future__ import annotations

import secrets
import string
from datetime import timedelta

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from sandbox import errors
from sandbox.constants import EXISTING_TWO_STEP_PIN, ISSUED_CODE_TTL_SECONDS, FinishEvent, Scenario
from sandbox.models import SandboxBusiness, SandboxCode, SandboxPage, SandboxPhone, SandboxToken, SandboxWaba
from sandbox.token_lifetimes import expiry_at_mint

_ALNUM = string.ascii_letters + string.digits
_NAMES = ["Jasper's Market", "Lucky Shrub", "Blue Fern Bakery", "Cafe Aurora", "Northwind Bikes", "Pixel Plants"]


def _meta_id() -> str:
    """A Meta-style numeric id: 15 digits, never starting with 0."""
    return str(secrets.randbelow(9 * 10**14) + 10**14)


def _create_with_fresh_id(model: type[models.Model], **fields: object) -> models.Model:
    for _ in range(10):
        try:
            with transaction.atomic():
                return model.objects.create(id=_meta_id(), **fields)
        except IntegrityError:
            continue
    raise RuntimeError(f"could not allocate a fresh {model.__name__} id")


def _create_phone(waba: SandboxWaba, **fields: object) -> SandboxPhone:
    """A fictional +1 555-0xx-xxxx number (display form; E.164 is +15550xxxxxx)."""
    for _ in range(50):
        number = f"{secrets.randbelow(100):02d}-{secrets.randbelow(10000):04d}"
        if not SandboxPhone.objects.filter(display_phone_number=f"+1 555-0{number}").exists():
            return _create_with_fresh_id(SandboxPhone, waba=waba, display_phone_number=f"+1 555-0{number}", **fields)
    raise RuntimeError("the sandbox ran out of +1 555 numbers")


def provision_page(*, business: SandboxBusiness) -> SandboxPage:
    """The Facebook Page the end-user picks in the dialog (FINISH sends its id in page_ids)."""
    return _create_with_fresh_id(SandboxPage, business=business, name=f"{business.name} Page")


@transaction.atomic
def provision_assets(*, scenario: str, event: str = FinishEvent.FINISH, phones: int = 1) -> SandboxPhone:
    """A new business with one WABA and `phones` phones shaped by the magic code and finish event
    (the first one is returned: the number the end-user picked in the dialog)."""
    name = secrets.choice(_NAMES)
    business = _create_with_fresh_id(SandboxBusiness, name=name)
    waba = _create_with_fresh_id(
        SandboxWaba,
        business=business,
        name=f"{name} WhatsApp",
        message_template_namespace="".join(secrets.choice(string.ascii_lowercase) for _ in range(8)) + "_sbx",
    )
    health = {Scenario.LIMITED: SandboxPhone.Health.LIMITED, Scenario.BLOCKED: SandboxPhone.Health.BLOCKED}
    quality = {Scenario.LIMITED: "YELLOW", Scenario.BLOCKED: "RED"}
    coexistence = event == FinishEvent.COEXISTENCE
    created = [
        _create_phone(
            waba,
            verified_name=name if index == 0 else f"{name} {index + 1}",
            health=health.get(scenario, SandboxPhone.Health.AVAILABLE),
            quality_rating=quality.get(scenario, "GREEN"),
            fail_register=scenario == Scenario.REGISTER_ERROR,
            pin=EXISTING_TWO_STEP_PIN if scenario == Scenario.EXISTING_PIN else "",
            is_on_biz_app=coexistence,
            # Coexistence, OBO migration and API-access-only numbers already work on Meta's side.
            registered=event in FinishEvent.ALREADY_REGISTERED,
        )
        for index in range(phones)
    ]
    return created[0]


def issue_code(*, scenario: str, business: SandboxBusiness) -> SandboxCode:
    code = f"{scenario}.{''.join(secrets.choice(_ALNUM) for _ in range(24))}"
    return SandboxCode.objects.create(code=code, scenario=scenario, business=business)


def _mint_token(*, business: SandboxBusiness, scenario: str) -> SandboxToken:
    token = "EAASBX" + "".join(secrets.choice(_ALNUM) for _ in range(60))
    return SandboxToken.objects.create(
        token=token, business=business, scenario=scenario, expires_at=expiry_at_mint(scenario)
    )


def _code_used() -> errors.GraphFailure:
    return errors.GraphFailure(400, "This authorization code has been used.", 100, subcode=36009)


def exchange_code(code: str) -> SandboxToken:
    """What `GET /oauth/access_token` does with a code: a token, or Meta's error for that code.

    A bare magic code (`sandbox_success`) is a reusable scenario name: each exchange provisions
    fresh assets. A code issued by the sandbox dialog (`sandbox_success.<nonce>`) is bound to
    the assets it announced and, like Meta's, works once.
    """
    if code == Scenario.EXCHANGE_ERROR:
        raise _code_used()
    if code in Scenario.ALL:
        return _mint_token(business=provision_assets(scenario=code).waba.business, scenario=code)
    issued = SandboxCode.objects.filter(code=code)
    if not issued.exists():
        raise errors.GraphFailure(400, "Invalid verification code format.", 100)
    issued.update(exchange_count=F("exchange_count") + 1)
    row = issued.get()
    if row.scenario == Scenario.EXCHANGE_ERROR or row.used_at is not None:
        raise _code_used()
    if row.created_at < timezone.now() - timedelta(seconds=ISSUED_CODE_TTL_SECONDS):
        raise errors.GraphFailure(400, "This authorization code has expired.", 100, subcode=36007)
    # Conditional update: of two concurrent exchanges of one code, exactly one wins.
    if not SandboxCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=timezone.now()):
        raise _code_used()
    return _mint_token(business=row.business, scenario=row.scenario)
