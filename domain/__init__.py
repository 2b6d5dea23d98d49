"""The pure model of youth justice work: types, state machines, rules and the working-day calendar.

Nothing here does I/O, reads a clock or imports temporalio, so every module is safe inside the
Temporal workflow sandbox and testable on its own.
"""
