"""Grading: responses (scanned or typed) → scores, 성적표, class report, item analysis, bank statistics.

Data flow: ``keys`` (what each sheet was printed with, from manifest.json) + ``responses`` (rows of a
CSV/XLSX) → ``scoring`` (pure) → ``analysis`` (item statistics, pure numpy) → ``tables`` / ``report``
(files) and ``bankstats`` (the statistics file next to the bank). ``run.grade_exam`` ties them together.
"""
