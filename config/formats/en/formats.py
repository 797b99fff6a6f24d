"""English dates and times as the site writes them: "Wednesday 20 October 2021, 14:00" (British
order, 24-hour clock), in pages and emails alike."""

DATE_FORMAT = "l j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "l j F Y, H:i"
