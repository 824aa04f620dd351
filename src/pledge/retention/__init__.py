"""Retention that enforces itself: rules compiled into set-based predicates per table,
sweeps that delete or anonymise in batches, legal holds, children's accounts, and a journal
of what must stay gone after a backup is restored."""
