"""Learning: the catalogue, course pages with progress, lessons and the reference card."""
