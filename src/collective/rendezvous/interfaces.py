"""Browser layer, marker interfaces and events of collective.rendezvous."""

from zope.publisher.interfaces.browser import IDefaultBrowserLayer


class IBrowserLayer(IDefaultBrowserLayer):
    """Marker interface for the browser layer set when the add-on is installed."""
