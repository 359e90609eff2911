"""The hall's pure rules: no I/O, standard library only."""
