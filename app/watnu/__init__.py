"""The public "Wat nu?" aid: the KNMG-meldcode walked through on the GP's own device."""
