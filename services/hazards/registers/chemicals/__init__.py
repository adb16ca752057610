"""The hazardous chemicals register (危化品, plan task 十, led by 教务处): the catalogue, the
stores, and the movements ledger from which every balance is derived."""
