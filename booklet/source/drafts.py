"""Drafts: the prompts a new chapter starts with, the rule that a finished chapter has
none, and the reminder that a draft is left out of builds.

`booklet new` writes the prompts into a draft; they are fixed sentences, so a
chapter marked ready that still holds one is refused, by `booklet check` and by
the build alike.
"""
from __future__ import annotations

from ..errors import WARNING, Problem
from .chapters import Chapter, source_line

SUMMARY_PROMPT = "Replace this line with the chapter's main message, in one sentence."
BODY_PROMPTS = (
    "Write this section in your own words. After each fact, cite its source: its key from references.yaml "
    "after an @, in square brackets.",
    "Text here is printed in the patient edition only.",
    "Text here is printed in the clinician edition only.",
)


def leftover_prompts(chapter: Chapter) -> list[Problem]:
    """A chapter marked ready must not still hold the prompts `booklet new` wrote."""
    if chapter.is_draft:
        return []
    problems = []
    if chapter.summary == SUMMARY_PROMPT:
        problems.append(Problem(chapter.path, chapter.line_of("summary"),
                                "'summary' is still the prompt written by 'booklet new': give the chapter's "
                                "main message"))
    for prompt in BODY_PROMPTS:
        line = source_line(chapter, prompt)
        if line is not None:
            problems.append(Problem(chapter.path, line, "a prompt written by 'booklet new' is still here: "
                                                        "replace it with the chapter's text"))
    return problems


def draft_notice(chapter: Chapter) -> list[Problem]:
    """A warning that a draft prints nowhere yet, and how to preview it."""
    if not chapter.is_draft:
        return []
    return [Problem(chapter.path, chapter.line_of("status"),
                    "draft: builds leave this chapter out until its front-matter says 'status: ready' "
                    f"(preview it with 'booklet build --chapter {chapter.id}')", WARNING)]
