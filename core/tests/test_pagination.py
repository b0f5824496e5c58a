import pytest

from organizations.tests.factories import issue_key

pytestmark = [pytest.mark.django_db, pytest.mark.urls("core.tests.urls")]

URL = "/v1/_test/keys"


@pytest.fixture
def seven_keys(organization, issued_key):
    for n in range(6):
        issue_key(organization, name=f"k{n}")


def test_default_page_has_meta(api_client, seven_keys):
    body = api_client.get(URL).json()
    assert body["meta"] == {"page": 1, "limit": 50, "total": 7, "totalPages": 1}
    assert len(body["data"]) == 7


def test_pages_split_and_order_newest_first(api_client, seven_keys):
    first = api_client.get(URL, {"page": 1, "limit": 3}).json()
    last = api_client.get(URL, {"page": 3, "limit": 3}).json()
    assert first["meta"] == {"page": 1, "limit": 3, "total": 7, "totalPages": 3}
    assert [k["name"] for k in first["data"]] == ["k5", "k4", "k3"]
    assert [k["name"] for k in last["data"]] == ["test"]


def test_page_past_the_end_is_empty_not_an_error(api_client, seven_keys):
    body = api_client.get(URL, {"page": 9, "limit": 3}).json()
    assert body["data"] == [] and body["meta"]["total"] == 7


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": 0}, "page"),
        ({"page": -1}, "page"),
        ({"page": "x"}, "page"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "1.5"}, "limit"),
    ],
)
def test_out_of_range_page_or_limit_is_400(api_client, params, field):
    response = api_client.get(URL, params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert list(response.json()["error"]["details"]) == [field]


def test_limit_bounds_are_inclusive(api_client):
    assert api_client.get(URL, {"limit": 1}).status_code == 200
    assert api_client.get(URL, {"limit": 100}).status_code == 200
