"""StrictSerializer: DRF's validation (its own NUL and surrogate validators) plus unknown fields refused."""

from rest_framework import serializers

from core.api.serializers import StrictSerializer


class Sample(StrictSerializer):
    name = serializers.CharField(max_length=5)
    tags = serializers.ListField(child=serializers.CharField(max_length=3), required=False)


def test_validation_is_drfs_and_independent_between_instances():
    good, bad = Sample(data={"name": "abc", "tags": ["x"]}), Sample(data={"name": "toolong", "tags": ["long"]})
    assert good.is_valid() and good.validated_data == {"name": "abc", "tags": ["x"]}
    assert not bad.is_valid()
    assert bad.errors == {
        "name": ["Ensure this field has no more than 5 characters."],
        "tags": {0: ["Ensure this field has no more than 3 characters."]},
    }
    assert Sample(data={"name": "ok", "extra": 1}).is_valid() is False  # unknown fields still refused


def test_surrogates_are_refused_with_drfs_message():
    from rest_framework.validators import ProhibitSurrogateCharactersValidator

    bad = Sample(data={"name": "a\ud83db"})
    assert not bad.is_valid()
    assert bad.errors == {"name": ["Surrogate characters are not allowed: U+D83D."]}
    assert Sample(data={"name": "«ü»"}).is_valid()  # non-ASCII without surrogates is fine
    field = Sample().fields["name"]
    assert any(isinstance(v, ProhibitSurrogateCharactersValidator) for v in field.validators)


def test_nul_characters_are_refused_before_they_reach_postgresql():
    bad = Sample(data={"name": "a\x00b"})
    assert not bad.is_valid()
    assert bad.errors == {"name": ["Null characters are not allowed."]}
