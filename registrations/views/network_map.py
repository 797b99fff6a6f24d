"""The public page of the authorities taking part in a conference, and their map."""

import functools
from urllib.parse import urlencode

from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from conference.models import Conference
from conference.page_cache import network_version, page_cache_seconds
from registrations.forms.network_map import ParticipantsFilterForm
from registrations.models import Authority
from registrations.network_map.selectors import (
    authorities_by_country,
    countries_by_name,
    network_map,
    network_summary,
    participating_authorities,
)


class ParticipantsView(TemplateView):
    """Cities and regions with a confirmed delegate that agreed to be named, by country, with
    how many delegates each sends (no names), on a map; filtered by country and kind."""

    template_name = "registrations/participants.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        conference = get_object_or_404(Conference.objects.published(), slug=self.kwargs["slug"])
        listed = participating_authorities(conference)
        present = set(listed.order_by().values_list("country", "kind").distinct())
        countries = countries_by_name({country for country, _kind in present})
        kinds = {kind for _country, kind in present}
        filters = ParticipantsFilterForm(
            self.request.GET, countries=countries, kinds=kinds
        ).valid_filters()

        # The template calls these only when its cached fragment is missing
        # (conference.page_cache), each once.
        @functools.cache
        def everyone() -> list[Authority]:
            return list(listed)

        @functools.cache
        def shown() -> list[Authority]:
            return list(participating_authorities(conference, **filters)) if filters else everyone()

        context.update(
            conference=conference,
            filter_form=ParticipantsFilterForm(filters or None, countries=countries, kinds=kinds),
            is_filtered=bool(filters),
            summary=functools.cache(lambda: network_summary(everyone())),
            shown_count=lambda: len(shown()),
            groups=functools.cache(lambda: authorities_by_country(shown())),
            map=functools.cache(lambda: network_map(shown())),
            page_cache_version=network_version(conference.pk),
            page_cache_seconds=page_cache_seconds(conference),
            page_cache_filters=urlencode(sorted(filters.items())),
        )
        return context
