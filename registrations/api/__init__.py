"""The REST API under /api/v1/: the conference and its programme for anyone (read-only), and
registrations and check-in for organisers' systems with an API token. Views only call the
services and selectors that the site's pages call (Django REST framework, drf-spectacular)."""
