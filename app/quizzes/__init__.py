"""Case quizzes: intro, stage-by-stage answering with autosave, submission and results."""
