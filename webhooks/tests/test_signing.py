import base64

from webhooks.signing import secret_generate, sign, signing_key


def test_generated_secret_is_whsec_and_32_random_bytes():
    secret = secret_generate()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret[6:], validate=True)) == 32
    assert secret != secret_generate()


def test_key_of_a_whsec_base64_secret_is_the_decoded_bytes():
    raw = bytes(range(24))
    assert signing_key("whsec_" + base64.b64encode(raw).decode()) == raw


def test_key_of_a_customer_secret_is_its_utf8_bytes():
    assert signing_key("whsec_my_secret_key_123") == b"whsec_my_secret_key_123"
    assert signing_key("my-own-secret-0123456789") == b"my-own-secret-0123456789"


def test_key_of_whsec_base64_shorter_than_16_bytes_is_the_whole_secret():
    short = "whsec_" + base64.b64encode(b"0123456789").decode()
    assert signing_key(short) == short.encode()


def test_unpadded_base64_is_not_strict_so_the_whole_secret_is_the_key():
    unpadded = "whsec_" + base64.b64encode(bytes(range(32))).decode().rstrip("=")
    assert signing_key(unpadded) == unpadded.encode()


def test_signature_format_matches_the_standard_webhooks_test_vector():
    # The vector of the Standard Webhooks reference libraries.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    signature = sign(
        secret=secret,
        msg_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
        timestamp=1614265330,
        body=b'{"test": 2432232314}',
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
