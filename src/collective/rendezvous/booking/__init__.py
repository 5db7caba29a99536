"""The booking service: book, move, cancel, mark; the never-double-booked guard.

Every entry point (REST, forms, pages) goes through ``service``; it checks
that the slot is offered to this booker, takes it in the counter's day record
(``slots.store.DaySlots``, the guard of X2) and creates the ``Booking``.
"""
