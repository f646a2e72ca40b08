"""Themes across everything, as templates see them: the site's themes, and an owner's private coach."""

from __future__ import annotations

from typing import Any

from failsite.site.themes import Themes, coach_themes, site_themes

# `views` below is a render.views.SiteView: named, not imported, since views imports this module.

THEMES_URL = "/insights/themes/"
COACH_URL = "/insights/coach/"  # only in a build for one owner (--owner)


def themes_view(views: Any, coach: bool = False) -> dict[str, Any]:
    """The themes page (or, with `coach`, the owner's private coach): each theme's label, its stories newest first,
    how many people or teams it spans, and how many themes were left out for spanning too few."""
    found: Themes = coach_themes(views.site) if coach else site_themes(views.site)
    return {"themes": [{"slug": t.slug, "label": views.anonymise(t.label), "people": t.people,
                        "stories": [views.item(k) for k in t.story_keys]} for t in found.shown],
            "hidden": found.hidden, "min_people": views.site.config.min_people}
