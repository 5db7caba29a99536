"""collective.rendezvous: appointment booking for town halls (Plone add-on)."""

from zope.i18nmessageid import MessageFactory

import logging


PACKAGE_NAME = "collective.rendezvous"

_ = MessageFactory(PACKAGE_NAME)

logger = logging.getLogger(PACKAGE_NAME)
