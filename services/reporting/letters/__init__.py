"""Responsibility letters as reporting knows them (issue 16): the grid's ``letter.signed``
events kept, and the flag for a head without a signed letter at the campaign's phase-one
deadline (``sweeps.run_letter_sweep``)."""
