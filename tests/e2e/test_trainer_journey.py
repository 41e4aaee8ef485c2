"""Journey 2: a trainer follows a learner who joined the cohort with its code, and exports the CSV."""

from __future__ import annotations

import csv
import io

from playwright.sync_api import expect

from .flows import COURSE, DEMO, assert_accessible, download, login, read_lesson, shot


def test_trainer_sees_a_learner_progress_and_exports_it_as_csv(
    cohort, live_server, new_page, screenshot_dir
):
    base = live_server.url
    trainer = new_page()
    login(trainer, base, *DEMO["trainer"])
    trainer.goto(f"{base}/groepen/{cohort.id}")
    row = trainer.locator("tr", has=trainer.get_by_role("link", name=cohort.member_name))
    expect(row).to_contain_text("0 van 7")

    # The learner finishes the first lesson.
    learner = new_page()
    login(learner, base, *DEMO["learner"])
    learner.goto(f"{base}/leren/{COURSE}")
    learner.get_by_role("link", name="Begin met les 1").click()
    read_lesson(learner, live_server)
    learner.get_by_role("button", name="Les afronden").click()
    expect(learner.locator(".flash-success")).to_contain_text("Les 1 is afgerond")

    trainer.reload()
    expect(row).to_contain_text("1 van 7")
    expect(row).to_contain_text("14%")
    shot(trainer, screenshot_dir, "trainer-cohort")
    assert_accessible(trainer, "cohort overview with a learner")

    filename, data = download(trainer, "Download als CSV (Excel)")
    assert filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    mine = [r for r in rows if r["E-mailadres"] == cohort.member_email]
    assert len(mine) == 1, rows
    assert mine[0]["Naam"] == cohort.member_name
    assert mine[0]["Lessen afgerond"] == "1"
    assert mine[0]["Voortgang (%)"] == "14"
    assert mine[0]["Eindtoets gehaald"] == "nee"
