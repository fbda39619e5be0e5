"""Assembling an exam: blueprint -> selection (solver) -> forms (shuffled order and choices) -> manifest."""
