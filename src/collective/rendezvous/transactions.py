"""Writes made after a request's commit, in a transaction of their own."""

from ZODB.POSException import ConflictError

import random
import time
import transaction


def write_apart(db, write, attempts: int = 10) -> bool:
    """Call ``write(connection)`` in a transaction of its own; whether it
    committed.

    Used after the request's commit (notifications, ANTS declarations): the
    request's own connection is done, so this opens another one and retries
    on conflict with a short random wait, as Zope retries a request.
    """
    manager = transaction.TransactionManager()
    connection = db.open(transaction_manager=manager)
    try:
        for attempt in range(attempts):
            try:
                manager.begin()
                write(connection)
                manager.commit()
                return True
            except ConflictError:
                manager.abort()
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
        return False
    finally:
        manager.abort()
        connection.close()
