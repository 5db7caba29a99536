"""collective.rendezvous: appointment booking for town halls (Plone add-on)."""

from zope.i18nmessageid import MessageFactory

import logging


PACKAGE_NAME = "collective.rendezvous"

_ = MessageFactory(PACKAGE_NAME)

logger = logging.getLogger(PACKAGE_NAME)

# After a ZEO server restart, object ids must not be handed out twice.
from collective.rendezvous.patches import forget_prefetched_oids  # noqa: E402


forget_prefetched_oids()
