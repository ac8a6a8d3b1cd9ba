"""The hardened door to git: one process per job, never the repository's programs."""
