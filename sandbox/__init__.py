"""The sandbox Meta: a fake Graph API and Embedded Signup dialog served by this app in sandbox mode.

Off whenever a real Meta app is configured (`META_APP_ID` set); see docs/meta.md.
Public helpers: `sandbox.dialog.sandbox_dialog_complete`, `sandbox.faults.inject_fault`.
"""
