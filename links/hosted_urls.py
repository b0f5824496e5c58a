from django.urls import path, re_path

from links import hosted, hosted_guard, hosted_phone, hosted_pin, hosted_started

urlpatterns = [
    path("signup/<uuid:link_id>", hosted.signup_page, name="signup-page"),
    path("signup/<uuid:link_id>/callback", hosted.signup_callback, name="signup-callback"),
    path("signup/<uuid:link_id>/status", hosted.signup_status_view, name="signup-status"),
    path("signup/<uuid:link_id>/phone-numbers", hosted_phone.signup_phone_numbers, name="signup-phone-numbers"),
    path("signup/<uuid:link_id>/pin", hosted_pin.signup_pin, name="signup-pin"),
    path("signup/<uuid:link_id>/started", hosted_started.signup_started, name="signup-started"),
    # An organization's accent colour as a stylesheet (the CSP allows no inline style).
    re_path(r"^signup/theme/(?P<color>[0-9a-f]{6})\.css$", hosted.signup_theme, name="signup-theme"),
    # A malformed id is an unknown link: the same friendly 404 page, or the JSON 404 for the script's calls.
    re_path(r"^signup/[^/]+/?$", hosted._not_found_page),
    re_path(r"^signup/[^/]+/(?:callback|status|phone-numbers|pin|started)/?$", hosted_guard.malformed_link_id),
]
