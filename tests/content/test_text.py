"""Plain text out of markup: an inline tag joins the letters around it, any other tag separates them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from failsite.content.text import TAG, breaks_words, without_tags

PIECES = st.sampled_from(["<", ">", "/", " ", "\n", "b", "a", "x", "é", "<b>", "</B>", "<abbr title='x'>", "<ab>",
                          "<a1>", "< / em>", "<<b>", "<p>", "<br/>", "<wbr>", "</td>", "<span\nclass=x>"])


def test_inline_tags_join_words_and_others_separate_them() -> None:
    assert without_tags("<b>Da</b>na and Kwame<br>Osei in <td>a</td><td>b</td>") == "Dana and Kwame Osei in  a  b "


@given(st.lists(PIECES, max_size=40).map("".join))
def test_removing_tags_in_one_pass_is_the_same_as_deciding_tag_by_tag(markup: str) -> None:
    assert without_tags(markup) == TAG.sub(lambda m: " " if breaks_words(m.group()) else "", markup)
