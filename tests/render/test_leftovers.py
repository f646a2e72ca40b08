"""Another tool's template syntax left in a story's text is a warning with its line, never published without a word;
code, and failsite's own shortcodes, are left alone."""

from __future__ import annotations

from conftest import SiteMaker, build, talk

BODY = """\
A video {{< youtube abc123 >}} and {{% notice note %}} in a sentence.

The {{ site.baseurl }} and {% include note.html %} here,
and [the old post](https://example.org{{site.baseurl}}/post/) there.

--8<-- "snippets/intro.md"

`{{< youtube in-code >}}` is code, and so is this:

```
{% highlight ruby %}{{ page.title }}
```

{{< callout "Before you start" >}}
Read the charter.
{{< /callout >}}

{{< lessons >}}

As {{< person "Avery Example" >}} said, and {{< video "clip.mp4" >}} in a sentence."""


def test_template_syntax_outside_code_is_a_warning_with_its_line(make_site: SiteMaker) -> None:
    site = make_site({"content/talks/moved.md": talk("Moved in", body=BODY)})
    found = [w.format().splitlines()[0] for w in build(site).warnings if "published as written" in w.message]
    body_line = 6  # the talk's front matter takes five lines
    assert found == [f"content/talks/moved.md:{body_line + n}:1: warning: {text}" for n, text in [
        (0, "the shortcode '{{% notice note %}}' is not one of failsite's, so it is published as written"),
        (0, "the shortcode '{{< youtube abc123 >}}' is not one of failsite's, so it is published as written"),
        (2, "the Liquid tag '{% include note.html %}' is published as written: failsite does not run templates in "
            "a story"),
        (2, "the template expression '{{ site.baseurl }}' is published as written: failsite does not run templates "
            "in a story"),
        (3, "the template expression '{{site.baseurl}}' is published as written: failsite does not run templates in "
            "a story"),
        (5, "the MkDocs snippet '--8<--' is published as written"),
        (19, "failsite's 'video' shortcode is published as written here: '{{< video \"clip.mp4\" >}}'"),
    ]]
