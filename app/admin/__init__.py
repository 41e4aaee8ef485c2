"""Administration (role admin only): users and roles, certificates and revocation, audit log,
evaluations, export."""
