from django.urls import path, re_path

from sandbox import popup
from sandbox import views as sandbox

# Routed only in sandbox mode (onboarding_project/urls.py); each view also 404s unless the sandbox
# is on, checked per request.
urlpatterns = [
    path("_sandbox/graph/_faults", sandbox.faults, name="sandbox-faults"),
    path("_sandbox/facebook/sdk.js", popup.sdk_js, name="sandbox-sdk"),
    path("_sandbox/facebook/dialog", popup.dialog, name="sandbox-dialog"),
    path("_sandbox/facebook/dialog.js", popup.dialog_js, name="sandbox-dialog-js"),
    path("_sandbox/dialog/complete", sandbox.dialog_complete, name="sandbox-dialog-complete"),
    re_path(r"^_sandbox/graph/(?P<version>v\d+\.\d+)/(?P<path>.*)$", sandbox.graph, name="sandbox-graph"),
]
