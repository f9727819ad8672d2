"""A password change, by whatever path (own page, reset link, admin, changepassword), revokes every API token.

Django itself invalidates the user's other sessions: each session stores a hash of the password hash, so
they stop authenticating on their next request; the page that changed the password keeps its own session with
update_session_auth_hash. `user._password` is what Django's own AbstractBaseUser.save() reads to call
password_validation.password_changed(): it holds the new raw password only after set_password(), not after
the silent hash upgrade on login (which resets it), so only a real change revokes tokens.
"""

from __future__ import annotations

from django.db.models.signals import post_save

from .services import api_tokens_revoke


def revoke_tokens_on_password_change(sender, instance, created, **kwargs) -> None:
    if not created and getattr(instance, "_password", None) is not None:
        api_tokens_revoke(user=instance)


def connect(user_model) -> None:
    post_save.connect(
        revoke_tokens_on_password_change, sender=user_model, dispatch_uid="accounts.revoke_tokens_on_password_change"
    )
