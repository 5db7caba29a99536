Old bookings are anonymised by the scheduled task after ``anonymise_after_months`` (default 12): name, e-mail, phone, comment and the private link go; dates and outcomes stay for statistics.
