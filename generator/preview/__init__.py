"""``mockexam preview``: a local page that shows the bank (and a blueprint's exam) as it will print.

Data flow: ``tolerant`` loads what is valid and collects the problems (incrementally, per changed file),
``views`` turns questions and the assembled exam into HTML snippets with the booklet's own markup,
``server`` serves the page, pushes a Server-Sent Event on every save and renders one-question PDFs.
Nothing here writes to the bank.
"""
