"""A quiz question answered with the keyboard alone: Tab, Space and Enter, never a click."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from .flows import COURSE, Person, course_files, create_learner

KEYBOARD_LEARNER = Person("K.", "Kees", "Toetsenbord", "kees@praktijk-e2e.example", "49033344455")

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    type: el.type || "",
    name: el.name || "",
    value: el.value || "",
    text: (el.innerText || el.value || "").trim(),
    group: el.closest("fieldset") ? el.closest("fieldset").id : "",
    visible: el.matches(":focus-visible")
      && (style.outlineStyle !== "none" || style.boxShadow !== "none"),
  };
}"""


def tab_to(page: Page, wanted: Any, limit: int = 80) -> dict[str, Any]:
    """Press Tab until the focused element satisfies wanted(focus); it must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUSED)
        if wanted(focus):
            assert focus["visible"], f"no visible focus on {focus}"
            return focus
    raise AssertionError(f"Tab never reached the wanted element within {limit} presses")


def test_quiz_question_can_be_answered_with_the_keyboard_alone(page, live_server):
    person = create_learner(live_server, KEYBOARD_LEARNER)
    page.goto(live_server.url + "/account/inloggen")
    tab_to(page, lambda f: f["name"] == "email")
    page.keyboard.type(person.email)
    page.keyboard.press("Tab")
    page.keyboard.type(person.password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()

    files = course_files()
    check = files.quizzes[files.checks[files.lessons[0]]]
    question = next(q for q in check.stages[0]["questions"] if q["type"] == "multiple")
    correct = {o["id"] for o in question["options"] if o.get("correct")}
    page.goto(f"{live_server.url}/quiz/{COURSE}/{check.slug}")

    # The first stop is the skip link; it jumps past the menu.
    skip = tab_to(page, lambda f: True, limit=1)
    assert skip["text"] == "Naar de inhoud"
    page.keyboard.press("Enter")
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Begin")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Deel 1: ", exact=False)).to_be_visible()

    # Every checkbox is a Tab stop of its own: Space ticks the right ones.
    focus = tab_to(page, lambda f: f["group"] == f"vraag-{question['id']}")
    while focus["group"] == f"vraag-{question['id']}":
        assert focus["type"] == "checkbox"
        if focus["value"] in correct:
            page.keyboard.press("Space")
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUSED)
    for option in question["options"]:
        box = page.locator(f"#o-{question['id']}-{option['id']}")
        expect(box).to_be_checked(checked=option["id"] in correct)

    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Controleer mijn antwoorden")
    page.keyboard.press("Enter")
    review = page.locator(f"fieldset#vraag-{question['id']} + .review")
    expect(review.locator(".verdict")).to_have_text("Goed")
