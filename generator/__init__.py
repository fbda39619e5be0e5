"""mockexam: a Korean question bank in plain files, turned into balanced, printable mock exams.

Data flow, one subpackage per step: ``bank`` (load -> validate), ``assemble`` (blueprint -> exam with
forms), ``render`` (exam -> PDF and HTML). ``cli`` wires them to the ``mockexam`` command.
"""

__version__ = "0.1.0"
