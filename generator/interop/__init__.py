"""Exchange with other tools: import questions (xlsx, csv, GIFT, Moodle XML) and export exams and
questions (HWPX, Moodle XML, GIFT, QTI). Readers produce neutral ``Draft`` records; ``bankwrite`` turns
them into bank files after validating all of them with the real loader."""
