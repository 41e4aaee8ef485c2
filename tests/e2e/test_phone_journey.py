"""Journey 5: a learner on a phone (375 x 812) completes a lesson and answers a quiz question."""

from __future__ import annotations

from playwright.sync_api import expect

from .flows import (
    COURSE,
    Person,
    assert_accessible,
    course_files,
    create_learner,
    horizontal_overflow,
    login,
    read_lesson,
    shot,
    text_of,
)

PHONE_LEARNER = Person("S.", "Sanne", "Jansen", "sanne.jansen@praktijk-e2e.example", "49011122233")


def test_learner_on_a_phone_completes_a_lesson_and_a_quiz_question(
    phone_page, live_server, screenshot_dir
):
    page = phone_page
    files = course_files()
    person = create_learner(live_server, PHONE_LEARNER)
    login(page, live_server.url, person.email, person.password)
    assert horizontal_overflow(page) == 0

    page.get_by_role("link", name=files.title).click()
    page.get_by_role("link", name="Begin met les 1").click()
    read_lesson(page, live_server)
    assert horizontal_overflow(page) == 0, "the lesson scrolls sideways on a phone"
    # The reading position follows the scroll: the top says 0%, further down more.
    position = page.locator("[data-reading-percent]")
    expect(position).to_have_text("0%")
    page.get_by_role("heading", name="Kernboodschappen").scroll_into_view_if_needed()
    expect(position).not_to_have_text("0%")
    expect(page.locator('.lesson-toc a[aria-current="location"]')).to_have_count(1)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, screenshot_dir, "lesson")
    page.get_by_role("button", name="Les afronden").tap()
    expect(page.locator(".flash-success")).to_contain_text("Les 1 is afgerond")

    check = files.quizzes[files.checks[files.lessons[0]]]
    page.get_by_role("button", name="Begin").tap()
    question = check.stages[0]["questions"][0]
    right = next(o for o in question["options"] if o.get("correct"))
    group = page.locator(f"fieldset#vraag-{question['id']}")
    group.get_by_label(text_of(right["text"]), exact=True).tap()
    expect(group.get_by_label(text_of(right["text"]), exact=True)).to_be_checked()
    assert horizontal_overflow(page) == 0, "the quiz scrolls sideways on a phone"
    shot(page, screenshot_dir, "check-question")
    page.get_by_role("button", name="Controleer mijn antwoorden").tap()

    review = page.locator(f"fieldset#vraag-{question['id']} + .review")
    expect(review.locator(".verdict")).to_have_text("Goed")
    assert horizontal_overflow(page) == 0
    shot(page, screenshot_dir, "check-feedback")
    assert_accessible(page, "check quiz with feedback on a phone")
    page.goto(f"{live_server.url}/leren/{COURSE}")
    expect(page.get_by_text("1 van 7 lessen afgerond")).to_be_visible()
