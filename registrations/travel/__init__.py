"""Travel paperwork: identity data that site visits need for security clearance, and visa
invitation letters (request, review, letter, verification); their purge and their part of a
delegate's data export and erasure."""
