"""``python -m custserv_cards``: the same as the ``custserv`` command."""

from custserv_cards.cli import main

main()
