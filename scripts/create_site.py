"""Create the demo Plone site of ``make start``, once; keep it on later runs.

Run with ``zconsole run instance/etc/zope.conf scripts/create_site.py``
(``app`` is the Zope root). Environment: SITE_ID (default ``Plone``),
ADMIN_PASSWORD_FILE (where the admin password is kept, created if missing),
DEMO (``1`` to apply the demo profile with sample data, the default).
"""

from pathlib import Path

import os
import secrets
import transaction


SITE_ID = os.environ.get("SITE_ID", "Plone")
PASSWORD_FILE = Path(os.environ.get("ADMIN_PASSWORD_FILE", "instance/admin-password"))
DEMO = os.environ.get("DEMO", "1") == "1"
ADMIN = "admin"


def admin_password() -> str:
    """The admin password, generated on first use and kept beside the instance."""
    if PASSWORD_FILE.exists():
        return PASSWORD_FILE.read_text(encoding="utf-8").strip()
    password = secrets.token_urlsafe(12)
    PASSWORD_FILE.write_text(password + "\n", encoding="utf-8")
    PASSWORD_FILE.chmod(0o600)
    return password


def ensure_admin(root) -> None:
    """A Zope-level Manager ``admin`` (created once, never reset)."""
    users = root.acl_users
    if users.getUser(ADMIN) is None:
        users._doAddUser(ADMIN, admin_password(), ["Manager"], [])
        transaction.commit()
        print(f"Created the Zope user {ADMIN!r}.")


def ensure_site(root) -> None:
    """Create the site with the add-on (and the demo data) unless it exists."""
    if SITE_ID in root.objectIds():
        print(f"Keeping the existing site {SITE_ID!r} and its data.")
        upgrade(root[SITE_ID])
        return
    from AccessControl.SecurityManagement import newSecurityManager
    from plone.base.utils import get_installer
    from Products.CMFPlone.factory import addPloneSite
    from zope.component.hooks import setSite

    newSecurityManager(None, root.acl_users.getUser(ADMIN).__of__(root.acl_users))
    site = addPloneSite(
        root,
        SITE_ID,
        title="Mairie de Démoville",
        description="Prise de rendez-vous en ligne",
        distribution_name="classic",
        setup_content=False,
        default_language="fr",
        portal_timezone="Europe/Paris",
    )
    setSite(site)
    get_installer(site, site.REQUEST).install_product("collective.rendezvous")
    if DEMO and _has_profile(site, "collective.rendezvous:demo"):
        site.portal_setup.runAllImportStepsFromProfile(
            "profile-collective.rendezvous:demo"
        )
    transaction.commit()
    print(f"Created the site {SITE_ID!r} with collective.rendezvous installed.")


def upgrade(site) -> None:
    """Run the add-on's pending upgrade steps, so new code finds its settings."""
    from zope.component.hooks import setSite

    setSite(site)
    setup = site.portal_setup
    profile = "collective.rendezvous:default"
    if setup.getLastVersionForProfile(profile) == "unknown":
        return  # not installed in this site
    if setup.listUpgrades(profile):
        from AccessControl.SecurityManagement import newSecurityManager

        user = site.__parent__.acl_users.getUser(ADMIN)
        newSecurityManager(None, user.__of__(site.__parent__.acl_users))
        setup.upgradeProfile(profile)
        transaction.commit()
        print(f"Upgraded {profile} to {setup.getLastVersionForProfile(profile)}.")


def _has_profile(site, profile_id: str) -> bool:
    return any(p["id"] == profile_id for p in site.portal_setup.listProfileInfo())


root = app  # noqa: F821 - ``app`` (with a request) is given by zconsole
ensure_admin(root)
ensure_site(root)
