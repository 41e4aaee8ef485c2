"""Live sessions: a staged case played in a toetsgroep, led by an EKC, answered on phones."""
