"""French dates and times as French typography writes them: "mercredi 20 octobre 2021, 14 h 00"
(Django's own French formats write "14:00"). The spaces around "h" are no-break spaces, so the
time never breaks across lines."""

DATE_FORMAT = "l j F Y"
TIME_FORMAT = "H\u00a0\\h\u00a0i"
DATETIME_FORMAT = "l j F Y, H\u00a0\\h\u00a0i"
