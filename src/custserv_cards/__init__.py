"""custserv-cards: terminal flashcards with spaced repetition for revising customer service.

The package is imported on every start of the ``custserv`` command, so this module stays
empty of imports: each command imports what it needs when it runs.
"""

__version__ = "0.1.0"
