"""Operations (issue 14): health and readiness endpoints, request ids and structured logs, metrics, and the
record of every deadline sweep run."""
